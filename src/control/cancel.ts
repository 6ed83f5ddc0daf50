import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {effectiveStatus} from '../store/status.js'
import type {RunStatus, Store} from '../store/types.js'

export interface CancelRequest {
  adwId: string
  /** The process driving the run (null: it was queued, no process had it). */
  pid: number | null
  /** Who asked: `adw cancel` or `adw ui`. */
  by: string
  /** `store`: no signal; the run's process sees the request on its heartbeat. `queue`: cancelled while queued. Absent: SIGTERM was sent. */
  via?: 'store' | 'queue'
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
 * Cancels a run. The request is always recorded in the store (with a WARNING state_change row): the
 * process driving the run sees it on its next heartbeat (every 5 s) and stops as Ctrl-C would,
 * wherever it runs (another machine, a queue worker). A plain `adw run` on this host also gets
 * SIGTERM, which stops it at once. A queued run no worker took yet is cancelled here. Throws USAGE
 * (exit 2) when the run is neither queued nor running.
 */
export async function requestCancel(store: Store, adwId: string, by: string): Promise<CancelRequest> {
  const run = await requireRun(store, adwId)
  const status = effectiveStatus(run)
  if (status === 'queued') {
    const after = await store.requestCancel(adwId, by)
    if (after.status === 'cancelled') {
      store.log({adwId, level: 'WARNING', type: 'milestone', message: `Run cancelled by ${by} while queued (no worker had taken it)`, details: {by, status: 'cancelled'}})
      await store.flush()
      return {adwId, pid: null, by, via: 'queue'}
    }
  } else if (status !== 'running' || run.pid === null) {
    throw new AdwError('USAGE', `Run "${adwId}" is ${status}, not running: there is nothing to cancel.`, {
      suggestions: status === 'succeeded' ? [] : [`continue it instead: adw run --resume --adw-id ${adwId}`],
    })
  }
  const current = (await store.getRun(adwId))!
  // Signal only a plain `adw run` here; a worker's run (and one on another host) hears it through the store.
  const signal = current.host === hostname() && current.queue === null && current.pid !== null && runsAdw(current.pid)
  await store.requestCancel(adwId, by)
  const where = `adw process ${current.pid}${current.host === hostname() ? '' : ` on ${current.host}`}`
  const message = signal ? `Cancel requested by ${by}: SIGTERM to adw process ${current.pid}` : `Cancel requested by ${by}: ${where} stops the run at its next heartbeat`
  store.log({adwId, level: 'WARNING', type: 'state_change', message, details: {by, pid: current.pid, ...(signal ? {signal: 'SIGTERM'} : {host: current.host, via: 'store'})}})
  await store.flush()
  if (signal) {
    try {
      process.kill(current.pid!, 'SIGTERM')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
    return {adwId, pid: current.pid, by}
  }
  return {adwId, pid: current.pid, by, via: 'store'}
}

/** `adw cancel`: requests the cancel, then waits up to `waitMs` for the run to stop; returns its status then. */
export async function cancelRun(opts: {dbPath: string; adwId: string; waitMs?: number; write: (line: string) => void}): Promise<RunStatus> {
  const store = await openExistingStore(opts.dbPath)
  try {
    const req = await requestCancel(store, opts.adwId, 'adw cancel')
    if (req.via === 'queue') {
      opts.write(`Run ${opts.adwId} cancelled (it was queued; no worker had taken it).`)
      return 'cancelled'
    }
    opts.write(req.via === 'store' ? `Cancel requested (run ${opts.adwId}): adw process ${req.pid} stops it at its next heartbeat; waiting for it to stop…` : `Sent SIGTERM to adw process ${req.pid} (run ${opts.adwId}); waiting for it to stop…`)
    const deadline = Date.now() + (opts.waitMs ?? 15_000)
    for (;;) {
      const status = effectiveStatus((await store.getRun(opts.adwId))!)
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
    await store.close()
  }
}
