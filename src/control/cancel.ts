import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {effectiveStatus} from '../store/status.js'
import type {RunStatus, Store} from '../store/types.js'

export interface CancelRequest {
  adwId: string
  pid: number
  /** Who asked: `adw cancel` or `adw ui`. */
  by: string
}

/**
 * Whether the pid still runs adw (Node running bin/run.js or the adw launcher): a pid recorded by a
 * process that died may since belong to something else, which must never get the signal.
 * Without /proc (not Linux) the pid is taken at its word.
 */
function runsAdw(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return /(^|[/\0])(adw|run\.js)\0|node/.test(cmd)
  } catch {
    return process.platform !== 'linux'
  }
}

/**
 * Cancels a running run the way Ctrl-C does: SIGTERM to the `adw run` process recorded as driving it
 * (on this host), which stops the step, records the run as cancelled and exits 130. The request
 * itself is recorded first as a WARNING state_change row of the run. Throws USAGE (exit 2) when the
 * run is not running, or is driven from another host.
 */
export function requestCancel(store: Store, adwId: string, by: string): CancelRequest {
  const run = requireRun(store, adwId)
  const status = effectiveStatus(run)
  if (status !== 'running' || run.pid === null) {
    throw new AdwError('USAGE', `Run "${adwId}" is ${status}, not running: there is nothing to cancel.`, {
      suggestions: status === 'succeeded' ? [] : [`continue it instead: adw run --resume --adw-id ${adwId}`],
    })
  }
  if (run.host !== hostname()) {
    throw new AdwError('USAGE', `Run "${adwId}" is driven by adw process ${run.pid} on ${run.host}, not on this host (${hostname()}): a signal cannot reach it from here.`, {
      suggestions: [`on ${run.host}: adw cancel --adw-id ${adwId}`],
    })
  }
  if (!runsAdw(run.pid)) {
    throw new AdwError('USAGE', `Process ${run.pid}, recorded as driving run "${adwId}", is no longer an adw process; not signalling it.`, {
      suggestions: [`adw run --resume --adw-id ${adwId}`],
    })
  }
  store.log({adwId, level: 'WARNING', type: 'state_change', message: `Cancel requested by ${by}: SIGTERM to adw process ${run.pid}`, details: {by, pid: run.pid, signal: 'SIGTERM'}})
  store.flush()
  try {
    process.kill(run.pid, 'SIGTERM')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
  return {adwId, pid: run.pid, by}
}

/** `adw cancel`: requests the cancel, then waits up to `waitMs` for the run to stop; returns its status then. */
export async function cancelRun(opts: {dbPath: string; adwId: string; waitMs?: number; write: (line: string) => void}): Promise<RunStatus> {
  const store = openExistingStore(opts.dbPath)
  try {
    const req = requestCancel(store, opts.adwId, 'adw cancel')
    opts.write(`Sent SIGTERM to adw process ${req.pid} (run ${opts.adwId}); waiting for it to stop…`)
    const deadline = Date.now() + (opts.waitMs ?? 15_000)
    for (;;) {
      const status = effectiveStatus(store.getRun(opts.adwId)!)
      if (status !== 'running') {
        opts.write(`Run ${opts.adwId} ${status}. Continue it with: adw run --resume --adw-id ${opts.adwId}`)
        return status
      }
      if (Date.now() > deadline) {
        opts.write(`Run ${opts.adwId} is still stopping (its step may take a moment to end); see: adw runs`)
        return status
      }
      await sleep(100)
    }
  } finally {
    store.close()
  }
}
