import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The user-facing launcher (runs dist/). */
export const ADW = join(ROOT, 'bin/adw')
/** The Node the package pins, the one bin/adw launches. */
export const NODE = existsSync(join(ROOT, 'node_modules/node/bin/node')) ? join(ROOT, 'node_modules/node/bin/node') : process.execPath

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Milliseconds taken by `fn`. */
export async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

const temps: string[] = []
/** A temp dir removed by `cleanup()` at the end of the bench. */
export function tempDir(prefix = 'adw-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}

export function cleanup(): void {
  for (const d of temps.splice(0)) rmSync(d, {recursive: true, force: true})
}

export function writeFile(path: string, text: string): string {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, text)
  return path
}

/** A pipeline of `n` steps with the given `uses:` and `with:` (YAML text). */
export function pipelineYaml(name: string, n: number, uses: string, withBlock?: Record<string, unknown>): string {
  const w = withBlock ? `    with: ${JSON.stringify(withBlock)}\n` : ''
  let out = `name: ${name}\nsteps:\n`
  for (let i = 0; i < n; i++) out += `  - id: s${i}\n    uses: ${uses}\n${w}`
  return out
}

let xdg: Record<string, string> | undefined
/** The environment of every adw child: isolated oclif dirs (no user plugins), no API key, CI. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  if (!xdg) {
    const base = tempDir('adw-bench-xdg-')
    xdg = {XDG_DATA_HOME: join(base, 'data'), XDG_CONFIG_HOME: join(base, 'config'), XDG_CACHE_HOME: join(base, 'cache')}
  }
  return {...process.env, ...xdg, CI: '1', NO_COLOR: '1', ANTHROPIC_API_KEY: '', DATABASE_PATH: '', LOG_LEVEL: '', AGENT_MODEL: '', OCLIF_DISABLE_LINKED_ESM_WARNING: '1', ...extra}
}

export interface ChildResult {
  ms: number
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion, timing spawn → exit. stdout is kept only when `capture` is set. */
export function runChild(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; capture?: boolean} = {}): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now()
    const child = spawn(cmd, args, {cwd: opts.cwd ?? ROOT, env: opts.env ?? childEnv(), stdio: ['ignore', opts.capture ? 'pipe' : 'ignore', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolvePromise({ms: performance.now() - t0, code, stdout, stderr}))
  })
}

/** Like runChild, but a non-zero exit is an error carrying stderr. */
export async function mustRun(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; capture?: boolean} = {}): Promise<ChildResult> {
  const r = await runChild(cmd, args, opts)
  if (r.code !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`)
  return r
}

/** Times each command `reps` times, interleaved (a, b, c, a, b, c, …) so load on the machine hits all alike. */
export async function interleaved(cmds: Record<string, () => Promise<number>>, reps: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map(k => [k, []]))
  for (let r = 0; r < reps; r++) for (const [k, fn] of Object.entries(cmds)) out[k].push(await fn())
  return out
}

export const progress = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`)
}
