/** `Store.statsGroups` on Postgres: the SQLite store's three grouping queries (stats-queries.ts) in Postgres's dialect, merged the same way. */
import {mergeStats} from '../stats-queries.js'
import type {StatsGroups} from '../types.js'
import type {Query} from './db.js'

const SUMS = `sum(s.cost_usd) AS "costUsd", sum(s.input_tokens) AS "inputTokens", sum(s.output_tokens) AS "outputTokens",
  sum(s.cache_read_tokens) AS "cacheReadTokens", sum(s.cache_creation_tokens) AS "cacheCreationTokens"`
const FACTS = 'steps s JOIN runs r ON r.adw_id = s.adw_id WHERE r.started_at >= ?'

const GROUPS = `SELECT substr(s.started_at, 1, 10) AS day, r.pipeline_name AS pipeline, s.model AS model, s.step_id AS step,
    count(*) AS rows, sum((s.status <> 'skipped')::int) AS executions, ${SUMS}
  FROM ${FACTS} GROUP BY 1, 2, 3, 4`
const RUNS = `WITH per_run AS MATERIALIZED (
    SELECT r.pipeline_name AS pipeline, array_agg(DISTINCT substr(s.started_at, 1, 10)) AS days,
           min(CASE WHEN s.outputs LIKE '%verdict%' AND json_typeof(s.outputs::json -> 'verdict') = 'string' THEN s.id END) AS first,
           count(DISTINCT CASE WHEN s.parent_id IS NOT NULL AND s.status <> 'skipped' THEN s.iteration END) AS attempts
    FROM ${FACTS} GROUP BY s.adw_id, r.pipeline_name)
  SELECT 'day' AS kind, d AS key, count(*) AS runs, NULL::bigint AS passed FROM per_run, unnest(per_run.days) AS d GROUP BY d
  UNION ALL SELECT 'pipeline', pipeline, count(*), NULL FROM per_run GROUP BY pipeline
  UNION ALL SELECT 'attempts', p.attempts::text, count(*), sum((upper(v.outputs::json ->> 'verdict') = 'PASS')::int) FROM per_run p JOIN steps v ON v.id = p.first GROUP BY p.attempts`
const MEDIANS = `SELECT step, avg(duration_ms) AS "medianMs" FROM (
    SELECT s.step_id AS step, s.duration_ms, row_number() OVER (PARTITION BY s.step_id ORDER BY s.duration_ms) AS n, count(*) OVER (PARTITION BY s.step_id) AS c
    FROM ${FACTS} AND s.status = 'succeeded' AND s.duration_ms IS NOT NULL) AS t
  WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY step`

export async function pgStats(q: Query, since: string): Promise<StatsGroups> {
  const [groups, runs, medians] = await Promise.all([q(GROUPS, [since]), q(RUNS, [since]), q(MEDIANS, [since])])
  return mergeStats({groups: groups.rows, runs: runs.rows, medians: medians.rows})
}
