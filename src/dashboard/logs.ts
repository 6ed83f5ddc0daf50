import type {LogLevel, LogType} from '../plugins/types.js'
import type {LogRow, Store} from '../store/types.js'

/** A log row as the page gets it: details parsed. */
export interface LogView {
  id: number
  step: string | null
  iteration: number
  agent: string | null
  level: LogLevel
  type: LogType
  message: string
  details: unknown
  createdAt: string
}

export interface LogPageQuery {
  adwId: string
  limit: number
  afterId?: number
  beforeId?: number
  minLevel?: LogLevel
  type?: LogType
  step?: string
}

export function logView(row: LogRow): LogView {
  let details: unknown = null
  if (row.details !== null) {
    try {
      details = JSON.parse(row.details)
    } catch {
      details = row.details
    }
  }
  return {id: row.id, step: row.step_name, iteration: row.iteration, agent: row.agent_name, level: row.log_level, type: row.log_type, message: row.message, details, createdAt: row.created_at}
}

/**
 * A page of log rows, oldest first. With afterId: the first `limit` rows after it (catching up);
 * otherwise the last `limit` rows (before beforeId, when given). `more` says whether rows were left out.
 */
export async function logPage(store: Store, q: LogPageQuery): Promise<{rows: LogView[]; more: boolean}> {
  const filter = {adwId: q.adwId, minLevel: q.minLevel, type: q.type, step: q.step}
  if (q.afterId !== undefined) {
    const rows = await store.queryLogs({...filter, afterId: q.afterId, beforeId: q.beforeId, head: q.limit + 1})
    return {rows: rows.slice(0, q.limit).map(logView), more: rows.length > q.limit}
  }
  const rows = await store.queryLogs({...filter, beforeId: q.beforeId, limit: q.limit + 1})
  const more = rows.length > q.limit
  return {rows: (more ? rows.slice(1) : rows).map(logView), more}
}
