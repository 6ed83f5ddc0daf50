import {execa, type ResultPromise} from 'execa'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {adw, ADW, isolatedEnv, tmpDir, type CliResult} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
export {rows, sqlite3, stepRuns} from '../helpers/db.js'
export {processGone, waitGone} from '../helpers/process.js'

/** A temp project holding `p.yaml`, with its database path. */
export function project(yaml: string): {dir: string; db: string} {
  const dir = tmpDir({'p.yaml': yaml}, 'adw-resume-')
  return {dir, db: join(dir, 'adw.db')}
}

/** `adw <args>` in the project, to completion. */
export function adwIn(dir: string, args: string[], timeout = 30_000): Promise<CliResult> {
  return adw(args, {cwd: dir, timeout})
}

/** `adw <args>` started in the background, in its own process group, so only it gets our signals. */
export function spawnAdw(dir: string, args: string[]): ResultPromise<{reject: false}> {
  return execa(ADW, args, {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', detached: true, timeout: 60_000}) as ResultPromise<{reject: false}>
}

/** Waits until `file` exists in `dir` (a step's readiness signal). */
export async function waitForFile(dir: string, file: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!existsSync(join(dir, file))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} in ${dir}: ${readdirSync(dir).join(', ')}`)
    await sleep(20)
  }
}

/** Lines in a side-effect marker file (0 when absent). */
export function count(dir: string, file: string): number {
  const p = join(dir, file)
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).length : 0
}

/** Every marker file `ran-*` with its line count, sorted by name. */
export function markers(dir: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const f of readdirSync(dir).filter(f => f.startsWith('ran-')).sort()) out[f] = count(dir, f)
  return out
}

/** Status column of `adw runs` for one id. */
export async function shownStatus(dir: string, db: string, adwId: string): Promise<string> {
  const r = await adwIn(dir, ['runs', '--db', db, '--json'])
  const run = r.stdout.split('\n').filter(Boolean).map(l => JSON.parse(l)).find(x => x.adw_id === adwId)
  return run?.status ?? `(not listed: ${r.stdout} ${r.stderr})`
}

/** Kills what a test left behind (a sleeper whose pid a step wrote), ignoring errors. */
export function killPidFile(dir: string, file = 'sleep.pid'): void {
  const p = join(dir, file)
  if (!existsSync(p)) return
  try {
    process.kill(Number(readFileSync(p, 'utf8').trim()), 'SIGKILL')
  } catch {
    // gone
  }
}

/** The shell line a step uses to block once: start a sleeper, record its pid, signal readiness, wait. */
export const BLOCK_ONCE = (secs = 60) => `if [ ! -e ready ]; then sleep ${secs} & echo $! > sleep.pid; touch ready; wait; fi`
