import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'

import {AdwError} from '../errors.js'
import type {RunRow, RunStatus} from './types.js'

/**
 * A run driven from another host is presumed dead once its heartbeat (written every 5 s) is this
 * old. Generous on purpose: clocks of two hosts disagree a little.
 */
export const STALE_HEARTBEAT_MS = 60_000

/** Whether a process id is alive on this host (EPERM: alive, owned by someone else; a zombie is dead). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true // no /proc (not Linux): kill(0) is all we know
  }
}

/**
 * Whether the process recorded as driving a run still exists: on this host, its pid is alive;
 * on another host, its heartbeat is fresh (without a heartbeat it is taken at its word).
 */
export function ownerAlive(run: Pick<RunRow, 'pid' | 'host'> & {heartbeat_at?: string | null}, now = Date.now()): boolean {
  if (run.pid === null) return false
  if (run.host === hostname()) return pidAlive(run.pid)
  if (!run.heartbeat_at) return true
  return now - Date.parse(run.heartbeat_at) < STALE_HEARTBEAT_MS
}

/**
 * The status to show: a `running` run whose process is gone is `interrupted` (on this host: its
 * pid is dead; on another: its heartbeat is older than STALE_HEARTBEAT_MS).
 */
export function effectiveStatus(run: Pick<RunRow, 'status' | 'pid' | 'host'> & {heartbeat_at?: string | null}): RunStatus {
  if (run.status !== 'running' || run.pid === null) return run.status
  return ownerAlive(run) ? 'running' : 'interrupted'
}

/** RUN_LOCKED: the run is driven by a live process (exit 2), naming it. */
export function lockedError(run: RunRow, dbPath: string): AdwError {
  const beat = run.heartbeat_at ? `, last heartbeat ${Math.max(0, Math.round((Date.now() - Date.parse(run.heartbeat_at)) / 1000))} s ago` : ''
  return new AdwError('RUN_LOCKED', `Run "${run.adw_id}" is still being driven by adw process ${run.pid} on ${run.host ?? 'an unknown host'}${beat} (${dbPath}); two processes must never drive one run.`, {
    suggestions: [`watch it: adw logs --adw-id ${run.adw_id} --follow`, `or stop it first (kill -INT ${run.pid}), then: adw run --resume --adw-id ${run.adw_id}`],
  })
}
