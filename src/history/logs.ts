import {setTimeout as sleep} from 'node:timers/promises'

import type {LogLevel, LogType} from '../plugins/types.js'
import {effectiveStatus} from '../store/status.js'
import type {LogQuery, LogRow, Store} from '../store/types.js'
import {clockTime, truncate} from './format.js'
import {openExistingStore, requireRun} from './open.js'

export interface ShowLogsOptions {
  dbPath: string
  adwId: string
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
  /** Where the closing status note goes (stderr), for a run that did not succeed. */
  note?: (line: string) => void
  signal?: AbortSignal
}

/** `adw logs`: prints a run's log rows, and with `follow` streams them until the run ends. */
export async function showLogs(opts: ShowLogsOptions): Promise<void> {
  const store = openExistingStore(opts.dbPath)
  try {
    requireRun(store, opts.adwId)
    const filter: LogQuery = {adwId: opts.adwId, minLevel: opts.level, step: opts.step, type: opts.type}
    const printer = opts.json ? jsonPrinter(opts.write) : tablePrinter(opts, stepWidth(store, opts.adwId))
    let lastId = printer(store.queryLogs({...filter, limit: opts.limit}), 0)
    if (!opts.follow) return statusNote(store, opts)
    for (;;) {
      try {
        await sleep(opts.pollMs ?? 250, undefined, {signal: opts.signal})
      } catch {
        return // aborted
      }
      // Status first, then rows: the engine commits a run's last rows with its final status.
      const run = store.getRun(opts.adwId)
      lastId = printer(store.queryLogs({...filter, afterId: lastId}), lastId)
      if (!run || effectiveStatus(run) !== 'running') return statusNote(store, opts)
    }
  } finally {
    store.close()
  }
}

/** After the rows: what became of a run that did not succeed (interrupted runs are stored as running). */
function statusNote(store: Store, opts: ShowLogsOptions): void {
  const run = store.getRun(opts.adwId)
  if (!run || !opts.note) return
  const status = effectiveStatus(run)
  if (status === 'succeeded' || status === 'running') return
  const why = status === 'interrupted' ? `its process (pid ${run.pid} on ${run.host}) is gone` : run.error ?? status
  opts.note(`run ${run.adw_id} ${status}: ${why}. Continue it with: adw run --resume --adw-id ${run.adw_id}`)
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

/** Wide enough for the run's step names (known up front from its step rows), within 4..24. */
function stepWidth(store: Store, adwId: string): number {
  const names = store.listSteps(adwId).map(s => (s.iteration > 0 ? `${s.step_id}#${s.iteration}` : s.step_id))
  return Math.min(24, Math.max(4, ...names.map(n => n.length)))
}
