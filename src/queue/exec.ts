/**
 * The child process a worker starts for one run (`adw worker exec <adw-id>`, hidden): it takes the
 * run over with the engine's resume (a queued run starts; one a dead worker left continues, its
 * finished steps reused by their content keys) and prints one JSON result line for the worker.
 *
 * It dies with its worker: the worker holds its stdin open, and when that pipe ends (the worker
 * exited, was killed with -9, or hands the run back) the child kills its steps' processes and then
 * itself with SIGKILL, leaving the run as a crash leaves it (running under a dead pid: interrupted),
 * so the next worker resumes it. It never records such a stop as cancelled or failed.
 */
import {AdwError} from '../errors.js'
import {killOwnedNow} from '../engine/orphans.js'
import {resumeRun} from '../engine/resume.js'
import type {ExecutorRegistry} from '../plugins/registry.js'

/** The worker's view of how a child ended (its last stdout line). */
export interface ExecResult {
  adwId: string
  status: string
  error?: string
  /** An AdwError's code: RUN_LOCKED (another process drives it: try later), PREFLIGHT, ... */
  code?: string
  /** The run was not the worker's to take (finished, cancelled): the job is done without running it. */
  skipped?: boolean
}

export interface ExecOptions {
  adwId: string
  db?: string
  /** The worker's checkout: the run works there instead of the folder it was submitted from. */
  workingDir?: string
  registry?: ExecutorRegistry
  print: (line: string) => void
}

/** Runs the claimed run; returns the process exit code (as `adw run`'s). */
export async function execQueuedRun(opts: ExecOptions): Promise<number> {
  const release = watchParent(opts.adwId)
  const controller = new AbortController()
  const onSignal = () => controller.abort(new Error('cancelled'))
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let result: ExecResult
  let code: number
  try {
    const outcome = await resumeRun({
      adwId: opts.adwId,
      db: opts.db,
      mode: 'silent',
      registry: opts.registry,
      signal: controller.signal,
      worker: {workingDir: opts.workingDir},
      note: () => {},
    })
    result = {adwId: opts.adwId, status: outcome.status, ...(outcome.error ? {error: outcome.error} : {}), ...(outcome.skipped ? {skipped: true} : {})}
    code = outcome.skipped ? 0 : outcome.status === 'succeeded' || outcome.status === 'waiting' ? 0 : outcome.status === 'cancelled' ? 130 : outcome.status === 'budget_exceeded' ? 3 : 1
  } catch (error) {
    if (!(error instanceof AdwError)) throw error
    result = {adwId: opts.adwId, status: 'refused', code: error.code, error: error.message}
    code = error.exitCode
  }
  release()
  opts.print(JSON.stringify(result))
  return code
}

/** The worker's end of stdin closing means the worker is gone (or hands the run back): stop now, as a crash would. */
function watchParent(adwId: string): () => void {
  const die = () => {
    try {
      killOwnedNow(adwId)
    } finally {
      process.kill(process.pid, 'SIGKILL')
    }
  }
  const events = ['end', 'close', 'error'] as const
  for (const e of events) process.stdin.on(e, die)
  process.stdin.resume()
  // The run is over: stop watching, and let the process exit.
  return () => {
    for (const e of events) process.stdin.off(e, die)
    process.stdin.pause()
    process.stdin.destroy()
  }
}
