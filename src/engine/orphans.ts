import {readdirSync, readFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {pidAlive} from '../store/status.js'

/**
 * Set by the engine in every executor's environment as `<pid>:<adwId>`; child processes inherit it,
 * so what an adw process started for a run can be found again without knowing any child pid.
 */
export const OWNER_ENV = 'ADW_RUN_OWNER'

interface Owned {
  pid: number
  /** Leads its own process group (a detached executor child): signal the whole group. */
  leader: boolean
}

/** Processes on this host carrying `ADW_RUN_OWNER=<ownerPid>:<adwId>`. Linux only (/proc); elsewhere none. */
function findOwned(ownerPid: number, adwId: string): Owned[] {
  const needle = `${OWNER_ENV}=${ownerPid}:${adwId}`
  const found: Owned[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  for (const name of entries) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(needle)) continue
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      found.push({pid, leader: pgrp === pid})
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found
}

function signalAll(procs: Owned[], sig: NodeJS.Signals): void {
  for (const p of procs) {
    for (const target of p.leader ? [-p.pid, p.pid] : [p.pid]) {
      try {
        process.kill(target, sig)
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Stops what a dead adw process left running for a run (a kill -9 never reaches a step's detached
 * process group): SIGTERM, then SIGKILL after `graceMs`. Returns the pids it signalled.
 */
export async function stopOrphans(ownerPid: number, adwId: string, graceMs = 1000): Promise<number[]> {
  const found = findOwned(ownerPid, adwId)
  if (found.length === 0) return []
  signalAll(found, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && found.some(p => pidAlive(p.pid))) await sleep(25)
  if (found.some(p => pidAlive(p.pid))) signalAll(found, 'SIGKILL')
  return found.map(p => p.pid)
}

/** Synchronous SIGKILL of this process's children for a run: for an exit that cannot wait (second Ctrl-C). */
export function killOwnedNow(adwId: string): void {
  signalAll(findOwned(process.pid, adwId), 'SIGKILL')
}
