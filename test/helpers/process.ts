import {readFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'

/** Gone: kill(pid, 0) throws ESRCH, or only a zombie is left (killed, not yet reaped by init). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z'
  } catch {
    return true
  }
}

/** Waits up to `ms` for the process to be gone; false if it is still there. */
export async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!processGone(pid)) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}
