import {setTimeout as sleep} from 'node:timers/promises'
import {pidAlive} from '../../src/store/status.js'

/** Gone: no such process, or only a zombie is left (killed, not yet reaped by init). Same rule adw uses. */
export const processGone = (pid: number): boolean => !pidAlive(pid)

/** Waits up to `ms` for the process to be gone; false if it is still there. */
export async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!processGone(pid)) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}
