/**
 * The checks that decide a variant after its run: commands (bash scripts run in the variant's
 * folder through the command sandbox, like `sandbox: true` shell steps; nothing is interpolated
 * into them), files that must exist / contain text / be absent. The judge is in judge.ts.
 */
import {readFileSync, realpathSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import type {Check} from './suite.js'

/** One check's outcome, stored with the variant (eval_runs.checks) and shown in the report. */
export interface CheckResult {
  name: string
  kind: Check['kind']
  passed: boolean
  /** Why it failed (the command's last output lines, what the file lacked), or the judge's reason. */
  detail?: string
  durationMs: number
  /** A judge's own run. */
  adwId?: string
}

export interface CheckContext {
  dir: string
  env: Record<string, string | undefined>
  sandbox: 'on' | 'off'
  /** The variant's run id (sandbox notices are given once per run). */
  adwId: string
  warn(message: string): void
  signal?: AbortSignal
}

const tail = (text: string, lines = 8): string => text.trimEnd().split('\n').slice(-lines).join('\n')

/** Runs a command or file check. */
export async function runCheck(check: Exclude<Check, {kind: 'judge'}>, ctx: CheckContext): Promise<CheckResult> {
  const started = Date.now()
  const done = (passed: boolean, detail?: string): CheckResult => ({name: check.name, kind: check.kind, passed, ...(detail ? {detail} : {}), durationMs: Date.now() - started})
  if (check.kind === 'file') {
    const path = join(ctx.dir, check.path)
    const stat = statSync(path, {throwIfNoEntry: false})
    if (!check.exists) return stat ? done(false, `${check.path} exists`) : done(true)
    if (!stat) return done(false, `${check.path} does not exist`)
    if (check.contains === undefined) return done(true)
    if (!stat.isFile()) return done(false, `${check.path} is not a file`)
    return readFileSync(path, 'utf8').includes(check.contains) ? done(true) : done(false, `${check.path} does not contain ${JSON.stringify(check.contains)}`)
  }
  const {sandboxLaunch} = await import('../sandbox/index.js')
  let launch
  try {
    const workingDir = realpathSync(ctx.dir)
    launch = await sandboxLaunch({command: ['bash', '-c', check.script], workingDir, env: ctx.env, set: {}, network: check.network}, {mode: ctx.sandbox, runId: ctx.adwId, warn: ctx.warn})
  } catch (error) {
    return done(false, (error as Error).message)
  }
  const r = await execa(launch.file, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: check.timeoutMs,
    forceKillAfterDelay: 2000,
    cancelSignal: ctx.signal,
    maxBuffer: 4 * 1024 * 1024,
  })
  if (r.timedOut) return done(false, `timed out after ${Math.round(check.timeoutMs / 1000)} s`)
  if (r.exitCode === 0) return done(true)
  const why = r.exitCode === undefined ? (r.shortMessage ?? 'could not start') : `exit ${r.exitCode}`
  const out = tail(String(r.all ?? ''))
  return done(false, out ? `${why}: ${out}` : why)
}
