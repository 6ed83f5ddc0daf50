import {setTimeout as sleep} from 'node:timers/promises'

import {AdwError} from '../errors.js'
import type {LogLevel, LogType} from '../plugins/types.js'
import {openStore, storeExists} from '../store/open.js'
import {effectiveStatus} from '../store/status.js'
import type {LogQuery, LogRow, Store} from '../store/types.js'
import {clockTime, truncate} from './format.js'
import {openExistingStore, requireRun} from './open.js'

export interface ShowLogsOptions {
  dbPath: string
  /** The run to show. @default the latest run */
  adwId?: string
  /** This level and above. */
  level?: LogLevel
  step?: string
  type?: LogType
  /** Only the last N matching rows (then, with follow, every new one). */
  limit?: number
  /** NDJSON rows instead of a table. */
  json?: boolean
  /** Keep printing new rows until the run is no longer running. */
  follow?: boolean
  /** @default 250 */
  pollMs?: number
  /** Terminal width; without one, messages are cut at 120 characters. */
  columns?: number
  /** Receives whole lines, a batch at a time (joined by newlines, without the last one). */
  write: (lines: string) => void
  /** Notes for the user (stderr): which run is shown, waiting for it, how a run that did not succeed ended. */
  note?: (line: string) => void
  signal?: AbortSignal
}

/** `adw logs`: prints a run's log rows, and with `follow` streams them until the run ends. */
export async function showLogs(opts: ShowLogsOptions): Promise<void> {
  const store = opts.follow ? await waitFor(opts, () => (storeExists(opts.dbPath) ? openStore(opts.dbPath) : undefined), 'the database to be created') : await openExistingStore(opts.dbPath)
  if (!store) return // aborted while waiting
  try {
    const adwId = opts.adwId ?? (await latestRun(store, opts))
    if (adwId === undefined) return
    if (!opts.follow) await requireRun(store, adwId)
    else if (!(await waitFor(opts, () => store.getRun(adwId), `run ${adwId} to start`))) return
    const show = {...opts, adwId}
    const filter: LogQuery = {adwId, minLevel: opts.level, step: opts.step, type: opts.type}
    const printer = opts.json ? jsonPrinter(opts.write) : tablePrinter(opts, await stepWidth(store, adwId, opts.follow))
    let lastId = printer(await store.queryLogs({...filter, limit: opts.limit}), 0)
    if (!opts.follow) return await statusNote(store, show)
    for (;;) {
      if (!(await pause(opts))) return
      // Status first, then rows: the engine commits a run's last rows with its final status.
      const run = await store.getRun(adwId)
      lastId = printer(await store.queryLogs({...filter, afterId: lastId}), lastId)
      if (!run || effectiveStatus(run) !== 'running') return await statusNote(store, show)
    }
  } finally {
    await store.close()
  }
}

/** The newest run's id (said on stderr); with follow and no run yet, waits for the first one. */
async function latestRun(store: Store, opts: ShowLogsOptions): Promise<string | undefined> {
  const latest = async () => (await store.recentRunIds(1))[0]
  if (!opts.follow && (await latest()) === undefined) {
    throw new AdwError('RUN_NOT_FOUND', `No runs yet in ${store.location}`, {suggestions: ['adw run <pipeline>  (start one)']})
  }
  const id = await waitFor(opts, latest, 'a run to start')
  if (id !== undefined) opts.note?.(`Latest run: ${id} (adw logs <adw-id> for another; adw runs lists them)`)
  return id
}

/** `get()` now, else (following) every poll until it gives something; undefined once aborted. */
async function waitFor<T>(opts: ShowLogsOptions, get: () => T | undefined | Promise<T | undefined>, what: string): Promise<T | undefined> {
  let value = await get()
  if (value === undefined) opts.note?.(`Waiting for ${what} (${opts.dbPath}); Ctrl-C to stop`)
  while (value === undefined) {
    if (!(await pause(opts))) return undefined
    value = await get()
  }
  return value
}

/** One poll interval; false when aborted. */
async function pause(opts: ShowLogsOptions): Promise<boolean> {
  try {
    await sleep(opts.pollMs ?? 250, undefined, {signal: opts.signal})
    return true
  } catch {
    return false
  }
}

/** After the rows: what became of a run that did not succeed (interrupted runs are stored as running). */
async function statusNote(store: Store, opts: ShowLogsOptions & {adwId: string}): Promise<void> {
  const run = await store.getRun(opts.adwId)
  if (!run || !opts.note) return
  const status = effectiveStatus(run)
  if (status === 'succeeded' || status === 'running') return
  const why = status === 'interrupted' ? `its process (pid ${run.pid} on ${run.host}) is gone` : run.error && run.error !== status ? run.error : undefined
  opts.note(`run ${run.adw_id} ${status}${why ? `: ${why}` : ''}. Continue it with: adw run --resume --adw-id ${run.adw_id}`)
}

type Printer = (rows: LogRow[], lastId: number) => number

// One write per batch of rows: a write each cost ~2 ms of `adw logs --limit 200` (200 syscalls).
function jsonPrinter(write: (lines: string) => void): Printer {
  return (rows, lastId) => {
    if (rows.length > 0) write(rows.map(row => JSON.stringify({...row, details: row.details === null ? null : JSON.parse(row.details)})).join('\n'))
    return rows.at(-1)?.id ?? lastId
  }
}

function tablePrinter(opts: ShowLogsOptions, stepCol: number): Printer {
  const head = ['TIME'.padEnd(12), 'STEP'.padEnd(stepCol), 'LEVEL'.padEnd(8), 'TYPE'.padEnd(12)].join('  ')
  const messageWidth = opts.columns ? Math.max(20, opts.columns - head.length - 2) : 120
  let headerDone = false
  return (rows, lastId) => {
    const out: string[] = []
    if (!headerDone && (rows.length > 0 || !opts.follow)) {
      headerDone = true
      out.push(rows.length === 0 ? '(no log rows match)' : `${head}  MESSAGE`)
    }
    for (const row of rows) {
      const step = row.step_name === null ? '-' : row.iteration > 0 ? `${row.step_name}#${row.iteration}` : row.step_name
      const lines = row.message.split('\n')
      const message = lines.length > 1 ? `${lines[0]} …` : lines[0]
      out.push([clockTime(row.created_at), truncate(step, stepCol).padEnd(stepCol), row.log_level.padEnd(8), row.log_type.padEnd(12), truncate(message, messageWidth)].join('  '))
    }
    if (out.length > 0) opts.write(out.join('\n'))
    return rows.at(-1)?.id ?? lastId
  }
}

/**
 * Wide enough for the run's step names, within 4..24: the step rows so far, and when following also
 * every step of the pipeline snapshot (steps that have not started yet, loop iterations up to the maximum).
 */
async function stepWidth(store: Store, adwId: string, follow = false): Promise<number> {
  const names = (await store.listSteps(adwId)).map(s => (s.iteration > 0 ? `${s.step_id}#${s.iteration}` : s.step_id))
  if (follow) names.push(...(await snapshotStepNames((await store.getRun(adwId))?.pipeline_snapshot ?? '')))
  return Math.min(24, Math.max(4, ...names.map(n => n.length)))
}

type SnapshotStep = {id?: unknown; steps?: SnapshotStep[]; loop?: {maxAttempts?: unknown}}

async function snapshotStepNames(snapshot: string): Promise<string[]> {
  const {parse} = (await import('yaml')).default
  let doc: {steps?: SnapshotStep[]} | undefined
  try {
    doc = parse(snapshot)
  } catch {
    return []
  }
  const names: string[] = []
  const walk = (steps: unknown, suffix: string) => {
    if (!Array.isArray(steps)) return
    for (const step of steps as SnapshotStep[]) {
      if (typeof step?.id !== 'string') continue
      names.push(step.id + suffix)
      if (step.loop) walk(step.steps, `#${Number(step.loop.maxAttempts) || 1}`)
    }
  }
  walk(doc?.steps, '')
  return names
}
