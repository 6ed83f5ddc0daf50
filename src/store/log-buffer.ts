import type {SQLInputValue} from 'node:sqlite'

import type {NewLog} from './types.js'
import {LOG_LEVELS, LOG_TYPES} from './values.js'

/** One agent_logs row as positional parameters, in INSERT column order. */
export type LogParams = SQLInputValue[]

export const INSERT_LOGS_PREFIX = 'INSERT INTO agent_logs (adw_id, agent_name, step_name, iteration, log_level, log_type, message, details, created_at) VALUES '
/** The placeholders of one row. */
export const LOG_ROW_PARAMS = '(?, ?, ?, ?, ?, ?, ?, ?, ?)'
export const INSERT_LOG = INSERT_LOGS_PREFIX + LOG_ROW_PARAMS

/** `details` as JSON text; never undefined, never a throw (a cycle or a BigInt becomes a note). */
export function detailsJson(details: unknown): string | null {
  if (details === undefined || details === null) return null
  try {
    return JSON.stringify(details) ?? null
  } catch (error) {
    return JSON.stringify({unserializable: String(error)})
  }
}

/** Checks and converts a log entry at the call site, so one bad row can never poison a batch. */
export function toParams(entry: NewLog): LogParams {
  if (!LOG_LEVELS.includes(entry.level)) throw new TypeError(`Invalid log level ${JSON.stringify(entry.level)}; expected one of ${LOG_LEVELS.join(', ')}`)
  if (!LOG_TYPES.includes(entry.type)) throw new TypeError(`Invalid log type ${JSON.stringify(entry.type)}; expected one of ${LOG_TYPES.join(', ')}`)
  return [
    entry.adwId,
    entry.agentName ?? null,
    entry.stepName ?? null,
    entry.iteration ?? 0,
    entry.level,
    entry.type,
    String(entry.message),
    detailsJson(entry.details),
    new Date().toISOString(),
  ]
}

/**
 * Log rows waiting for a transaction. Calls `flush` when `batchSize` rows are waiting, or
 * `intervalMs` after the first row of a batch (an unref'd timer, so `adw logs --follow` sees chatty
 * steps live without keeping the process alive).
 */
export class LogBuffer {
  private rows: LogParams[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly opts: {batchSize: number; intervalMs: number; flush: () => void}) {}

  get size(): number {
    return this.rows.length
  }

  push(entry: NewLog): void {
    this.rows.push(toParams(entry))
    if (this.rows.length >= this.opts.batchSize) this.opts.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        try {
          this.opts.flush()
        } catch {
          // The rows stay buffered; the next explicit flush retries and reports the error.
        }
      }, this.opts.intervalMs)
      this.timer.unref()
    }
  }

  /** Removes and returns every waiting row. */
  take(): LogParams[] {
    if (this.timer) clearTimeout(this.timer), (this.timer = undefined)
    const rows = this.rows
    this.rows = []
    return rows
  }

  /** Puts rows back in front after a failed write, so none is lost. */
  restore(rows: LogParams[]): void {
    this.rows = rows.concat(this.rows)
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer), (this.timer = undefined)
  }
}
