import {hostname} from 'node:os'

import type {RunRow, RunStatus} from './types.js'

/** Whether a process id is alive on this host (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The status to show: a `running` run whose process is gone from this host is `interrupted`.
 * Runs driven from another host are taken at their word (their pid means nothing here).
 */
export function effectiveStatus(run: Pick<RunRow, 'status' | 'pid' | 'host'>): RunStatus {
  if (run.status !== 'running' || run.pid === null || run.host !== hostname()) return run.status
  return pidAlive(run.pid) ? 'running' : 'interrupted'
}
