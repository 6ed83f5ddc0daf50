/** The SQL the Postgres store builds from a query (the SQLite store's queries.ts and queryLogs, in Postgres's dialect). */
import type {LogQuery, RunQuery} from '../types.js'
import {levelsFrom} from '../values.js'

export type Value = string | number | null | string[] | number[] | Array<string | null> | Array<number | null>

/** `%`, `_` and the escape character itself, escaped for `LIKE ... ESCAPE '\'`. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, c => `\\${c}`)

/** The query text with each `?` replaced by `$1`, `$2`, … (the SQL here has no `?` in a literal). */
export function numbered(sql: string, offset = 0): string {
  let n = offset
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** The WHERE clause (possibly empty, `?` placeholders) and its values for a run query's filters. */
export function runFilter(query: RunQuery): {where: string; values: Value[]} {
  const where: string[] = []
  const values: Value[] = []
  if (query.status) where.push('status = ?'), values.push(query.status)
  if (query.pipeline) where.push('pipeline_name = ?'), values.push(query.pipeline)
  if (query.text) {
    // ILIKE: case-insensitive as SQLite's LIKE is (and for non-ASCII too).
    const pattern = `%${likeEscape(query.text)}%`
    where.push("(adw_id ILIKE ? ESCAPE '\\' OR inputs ILIKE ? ESCAPE '\\')"), values.push(pattern, pattern)
  }
  return {where: where.length ? `WHERE ${where.join(' AND ')}` : '', values}
}

/** Step rows joined with their run's pipeline, for the cost and quality figures. */
export const STEP_FACTS = `
  SELECT s.adw_id, r.pipeline_name, s.step_id, s.parent_id, s.iteration, s.status, s.started_at, s.duration_ms, s.model,
         s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_read_tokens, s.cost_usd,
         CASE WHEN s.outputs IS NOT NULL AND json_typeof(s.outputs::json -> 'verdict') = 'string' THEN s.outputs::json ->> 'verdict' END AS verdict
  FROM steps s JOIN runs r ON r.adw_id = s.adw_id
  WHERE r.started_at >= ?
  ORDER BY s.id`

/** The SELECT (with `?` placeholders) and values of a log query. */
export function logSelect(query: LogQuery): {sql: string; values: Value[]} {
  const where = ['adw_id = ?']
  const values: Value[] = [query.adwId]
  if (query.level) where.push('log_level = ?'), values.push(query.level)
  if (query.minLevel && query.minLevel !== 'DEBUG') where.push('log_level = ANY(?::text[])'), values.push(levelsFrom(query.minLevel))
  if (query.step !== undefined) where.push('step_name = ?'), values.push(query.step)
  if (query.type) where.push('log_type = ?'), values.push(query.type)
  if (query.afterId !== undefined) where.push('id > ?'), values.push(query.afterId)
  if (query.beforeId !== undefined) where.push('id < ?'), values.push(query.beforeId)
  const select = `SELECT * FROM agent_logs WHERE ${where.join(' AND ')}`
  // The last N rows, returned oldest first.
  if (query.limit !== undefined) return {sql: `SELECT * FROM (${select} ORDER BY id DESC LIMIT ?) AS last ORDER BY id`, values: [...values, query.limit]}
  if (query.head !== undefined) return {sql: `${select} ORDER BY id LIMIT ?`, values: [...values, query.head]}
  return {sql: `${select} ORDER BY id`, values}
}

/** One multi-row INSERT for any number of log rows: a column array each, unnested. */
export const INSERT_LOGS = `INSERT INTO agent_logs (adw_id, agent_name, step_name, iteration, log_level, log_type, message, details, created_at)
  SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`
