import {readdirSync, readFileSync} from 'node:fs'
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

/** Live processes whose environment holds `entry` (`NAME=value`), read from /proc (Linux). */
export function pidsWithEnv(entry: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry) && !processGone(pid)) found.push(pid)
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found
}
