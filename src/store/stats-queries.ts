/**
 * The cost page's and `adw stats`' figures, grouped by the database (issue 18), so 10,000 runs are not
 * shipped to JavaScript row by row. Three passes over the step rows of the runs started since a day:
 *
 *   groups   sums by (day, pipeline, model, step): a few hundred rows at most, merged in JS into the
 *            total, per day, per pipeline, per model and per step;
 *   runs     per run: its pipeline, the days it has steps on (a run counts on each), its first verdict
 *            (lowest row id) and its loop iterations; answered as runs per day, per pipeline, and
 *            runs with a verdict by iterations (how many passed on the first verdict);
 *   medians  each step's median succeeded duration (window functions).
 *
 * Plain SQL: a PostgreSQL store can run the same shapes (`substr(started_at, 1, 10)` → the UTC day of
 * the timestamp, `json_group_array/json_each` → `array_agg(DISTINCT …)/unnest`, `json_type/json_extract`
 * → `->>`, or `percentile_cont(0.5)` for the median) and hand the rows to mergeStats.
 */
import type {StatementSync} from 'node:sqlite'

import type {SpendSums, StatsGroups} from './types.js'

const SUMS = `sum(s.cost_usd) AS costUsd, sum(s.input_tokens) AS inputTokens, sum(s.output_tokens) AS outputTokens,
  sum(s.cache_read_tokens) AS cacheReadTokens, sum(s.cache_creation_tokens) AS cacheCreationTokens`

/** Step rows of runs started at or after ?1 (ISO; '' for all). */
const FACTS = 'steps s JOIN runs r ON r.adw_id = s.adw_id WHERE r.started_at >= ?1'

export const STATS_SQL = {
  groups: `SELECT substr(s.started_at, 1, 10) AS day, r.pipeline_name AS pipeline, s.model AS model, s.step_id AS step,
      count(*) AS rows, sum(s.status <> 'skipped') AS executions, ${SUMS}
    FROM ${FACTS} GROUP BY day, pipeline, model, step`,
  // Per run (one pass, in the steps_run index's order): its pipeline, the days it has steps on, its
  // first verdict's row and its loop iterations; then runs per day, per pipeline, and by iterations.
  runs: `WITH per_run AS MATERIALIZED (
      SELECT r.pipeline_name AS pipeline, json_group_array(DISTINCT substr(s.started_at, 1, 10)) AS days,
             min(CASE WHEN s.outputs LIKE '%verdict%' AND json_type(s.outputs, '$.verdict') = 'text' THEN s.id END) AS first,
             count(DISTINCT CASE WHEN s.parent_id IS NOT NULL AND s.status <> 'skipped' THEN s.iteration END) AS attempts
      FROM ${FACTS} GROUP BY s.adw_id)
    SELECT 'day' AS kind, d.value AS key, count(*) AS runs, NULL AS passed FROM per_run, json_each(per_run.days) d GROUP BY d.value
    UNION ALL SELECT 'pipeline', pipeline, count(*), NULL FROM per_run GROUP BY pipeline
    UNION ALL SELECT 'attempts', p.attempts, count(*), sum(upper(json_extract(v.outputs, '$.verdict')) = 'PASS') FROM per_run p JOIN steps v ON v.id = p.first GROUP BY p.attempts`,
  // The middle row of each step's succeeded durations, or the mean of the two middle rows.
  medians: `SELECT step, avg(duration_ms) AS medianMs FROM (
      SELECT s.step_id AS step, s.duration_ms, row_number() OVER (PARTITION BY s.step_id ORDER BY s.duration_ms) AS n, count(*) OVER (PARTITION BY s.step_id) AS c
      FROM ${FACTS} AND s.status = 'succeeded' AND s.duration_ms IS NOT NULL)
    WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY step`,
} as const

type Row = Record<string, unknown>
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))
const sums = (r: Row): SpendSums => ({costUsd: num(r.costUsd), inputTokens: num(r.inputTokens), outputTokens: num(r.outputTokens), cacheReadTokens: num(r.cacheReadTokens), cacheCreationTokens: num(r.cacheCreationTokens)})
const zero = (): SpendSums => ({costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0})
function add(to: SpendSums, from: SpendSums): void {
  to.costUsd += from.costUsd
  to.inputTokens += from.inputTokens
  to.outputTokens += from.outputTokens
  to.cacheReadTokens += from.cacheReadTokens
  to.cacheCreationTokens += from.cacheCreationTokens
}

/** The answers of the queries above (rows as the database gives them, camelCase aliases) as StatsGroups. */
export function mergeStats(q: {groups: Row[]; runs: Row[]; medians: Row[]}): StatsGroups {
  const total = zero()
  const perDay = new Map<string, SpendSums & {day: string; runs: number}>()
  const perPipeline = new Map<string, SpendSums & {pipeline: string; runs: number}>()
  const perModel = new Map<string, SpendSums & {model: string; steps: number}>()
  const perStep = new Map<string, SpendSums & {step: string; executions: number; medianMs: number | null}>()
  const into = <T extends SpendSums>(map: Map<string, T>, key: string, make: () => T): T => {
    let g = map.get(key)
    if (!g) map.set(key, (g = make()))
    return g
  }
  for (const r of q.groups) {
    const s = sums(r)
    const day = String(r.day)
    const pipeline = String(r.pipeline)
    const step = String(r.step)
    add(total, s)
    add(into(perDay, day, () => ({day, runs: 0, ...zero()})), s)
    add(into(perPipeline, pipeline, () => ({pipeline, runs: 0, ...zero()})), s)
    if (r.model !== null && r.model !== undefined) {
      const model = String(r.model)
      const m = into(perModel, model, () => ({model, steps: 0, ...zero()}))
      add(m, s)
      m.steps += num(r.rows)
    }
    const st = into(perStep, step, () => ({step, executions: 0, medianMs: null, ...zero()}))
    add(st, s)
    st.executions += num(r.executions)
  }
  let runs = 0
  const verdicts: StatsGroups['verdicts'] = []
  for (const r of q.runs) {
    if (r.kind === 'day') {
      const g = perDay.get(String(r.key))
      if (g) g.runs = num(r.runs)
    } else if (r.kind === 'pipeline') {
      runs += num(r.runs)
      const g = perPipeline.get(String(r.key))
      if (g) g.runs = num(r.runs)
    } else verdicts.push({attempts: num(r.key), runs: num(r.runs), passed: num(r.passed)})
  }
  for (const r of q.medians) {
    const g = perStep.get(String(r.step))
    if (g) g.medianMs = Math.round(num(r.medianMs))
  }
  return {
    runs,
    total,
    perDay: [...perDay.values()],
    perPipeline: [...perPipeline.values()],
    perModel: [...perModel.values()],
    perStep: [...perStep.values()],
    verdicts,
  }
}

/** Runs the queries with SQLite's prepared statements; `since` is an ISO day or ''. */
export function sqliteStats(stmt: (sql: string) => StatementSync, since: string): StatsGroups {
  const all = (sql: string) => stmt(sql).all(since) as Row[]
  return mergeStats({groups: all(STATS_SQL.groups), runs: all(STATS_SQL.runs), medians: all(STATS_SQL.medians)})
}
