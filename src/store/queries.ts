import type {SQLInputValue} from 'node:sqlite'

import type {RunQuery} from './types.js'

/** `%`, `_` and the escape character itself, escaped for `LIKE ? ESCAPE '\'`. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, c => `\\${c}`)

/** The WHERE clause (possibly empty) and its values for a run query's filters. */
export function runFilter(query: RunQuery): {where: string; values: SQLInputValue[]} {
  const where: string[] = []
  const values: SQLInputValue[] = []
  if (query.status) where.push('status = ?'), values.push(query.status)
  if (query.pipeline) where.push('pipeline_name = ?'), values.push(query.pipeline)
  if (query.text) {
    // LIKE is case-insensitive for ASCII in SQLite; inputs is the JSON text, so the prompt matches.
    const pattern = `%${likeEscape(query.text)}%`
    where.push("(adw_id LIKE ? ESCAPE '\\' OR inputs LIKE ? ESCAPE '\\')"), values.push(pattern, pattern)
  }
  return {where: where.length ? `WHERE ${where.join(' AND ')}` : '', values}
}

/** Step rows joined with their run's pipeline, for the cost and quality figures. */
export const STEP_FACTS = `
  SELECT s.adw_id, r.pipeline_name, s.step_id, s.parent_id, s.iteration, s.status, s.started_at, s.duration_ms, s.model,
         s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_read_tokens, s.cost_usd,
         CASE WHEN s.outputs IS NOT NULL AND json_type(s.outputs, '$.verdict') = 'text' THEN json_extract(s.outputs, '$.verdict') END AS verdict
  FROM steps s JOIN runs r ON r.adw_id = s.adw_id
  WHERE r.started_at >= ?
  ORDER BY s.id`
