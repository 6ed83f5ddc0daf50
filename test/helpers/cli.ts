import {execa} from 'execa'
import {mkdtempSync, mkdirSync, writeFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {waitingFor} from './deadline.js'

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** The user-facing launcher, exactly what `npx adw` runs. */
export const ADW = join(ROOT, 'bin/adw')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * Runs `adw <args>` as a real subprocess, the way a user would. oclif's data/config/cache dirs are
 * isolated so the user's own plugins never load; CI is set so listr2 uses its plain renderer.
 */
export async function adw(args: string[], opts: {cwd?: string; env?: Record<string, string | undefined>; input?: string; timeout?: number} = {}): Promise<CliResult> {
  const r = await waitingFor(`adw ${args.join(' ')}`, execa(ADW, args, {
    cwd: opts.cwd ?? ROOT,
    env: {...isolatedEnv(), ...opts.env},
    extendEnv: true,
    reject: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    timeout: opts.timeout ?? 60_000,
    stripFinalNewline: true,
  }))
  return {exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)}
}

let isolated: Record<string, string> | undefined
/** XDG dirs in a temp folder shared by the test process; no real API key; CI=true. */
export function isolatedEnv(): Record<string, string> {
  if (!isolated) {
    const base = mkdtempSync(join(tmpdir(), 'adw-xdg-'))
    isolated = {
      XDG_DATA_HOME: join(base, 'data'),
      XDG_CONFIG_HOME: join(base, 'config'),
      XDG_CACHE_HOME: join(base, 'cache'),
      CI: 'true',
      NO_COLOR: '1',
      ANTHROPIC_API_KEY: '',
      DATABASE_PATH: '',
      DATABASE_URL: '',
      AGENT_MODEL: '',
      LOG_LEVEL: '',
      OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
      // A developer's own collector must not receive the suite's traces.
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    }
  }
  return isolated
}

/** A fresh temp dir, optionally filled from an object of relative paths to file contents. */
export function tmpDir(files: Record<string, string> = {}, prefix = 'adw-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  writeFiles(dir, files)
  return dir
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel)
    mkdirSync(dirname(p), {recursive: true})
    writeFileSync(p, content)
  }
}

export function rmDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}
