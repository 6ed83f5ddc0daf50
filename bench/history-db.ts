import {DatabaseSync} from 'node:sqlite'

import {openSqliteStore} from '../src/store/sqlite.js'

export interface HistoryDbShape {
  /** Runs in the `runs` table (3 step rows each). */
  runs: number
  /** How many of them carry log rows. */
  runsWithLogs: number
  /** Log rows per run that has logs. */
  logsPerRun: number
}

/** The id of run number `i` of a history database. */
export const historyRunId = (i: number): string => `run-${String(i).padStart(6, '0')}`

/**
 * Builds a history database the size of a busy team's: migrated by openStore (the real schema and
 * indexes), then filled in one transaction by set-based INSERT … SELECT over a recursive counter.
 */
export function buildHistoryDb(path: string, shape: HistoryDbShape): {logRows: number; ms: number} {
  const t0 = performance.now()
  openSqliteStore(path).closeSync!()
  const db = new DatabaseSync(path)
  const t = (expr: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + (${expr}), 'unixepoch')`
  try {
    db.exec('BEGIN IMMEDIATE')
    db.prepare(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
       INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, pid, host, heartbeat_at, started_at, finished_at, duration_ms,
                         input_tokens, output_tokens, cost_usd)
       SELECT printf('run-%06d', i), 'plan-build', '/repo/pipelines/plan-build.yaml', 'name: plan-build', json_object('prompt', 'task ' || i), '/repo',
              CASE WHEN i % 10 = 3 THEN 'failed' ELSE 'succeeded' END, 4242, 'bench-host', ${t('i * 60 + 50')}, ${t('i * 60')}, ${t('i * 60 + 50')}, 50000,
              1000 + i % 500, 200 + i % 50, 0.01 * (i % 7)
       FROM c`,
    ).run(shape.runs)
    db.prepare(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
       INSERT INTO steps (adw_id, step_id, iteration, executor, status, started_at, finished_at, duration_ms, outputs)
       SELECT printf('run-%06d', i / 3), CASE i % 3 WHEN 0 THEN 'plan' WHEN 1 THEN 'build' ELSE 'review' END, 0, 'agent', 'succeeded',
              ${t('(i / 3) * 60 + (i % 3) * 15')}, ${t('(i / 3) * 60 + (i % 3) * 15 + 14')}, 14000, '{}'
       FROM c`,
    ).run(shape.runs * 3)
    const logRows = shape.runsWithLogs * shape.logsPerRun
    db.prepare(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
       INSERT INTO agent_logs (adw_id, agent_name, step_name, iteration, log_level, log_type, message, details, created_at)
       SELECT printf('run-%06d', i / ?2), 'agent', CASE (i % ?2) * 3 / ?2 WHEN 0 THEN 'plan' WHEN 1 THEN 'build' ELSE 'review' END, 0,
              CASE WHEN i % 97 = 0 THEN 'WARNING' ELSE 'INFO' END,
              CASE WHEN i % 10 = 0 THEN 'tool_call' ELSE 'output' END,
              'line ' || i || ': compiling src/module_' || (i % 50) || '.ts and running the unit tests',
              CASE WHEN i % 10 = 0 THEN json_object('tool', 'Read', 'path', 'src/x.ts') END,
              ${t('(i / ?2) * 60 + (i % ?2) * 0.04')}
       FROM c`,
    ).run(logRows, shape.logsPerRun)
    db.exec('COMMIT')
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    return {logRows, ms: performance.now() - t0}
  } finally {
    if (db.isTransaction) db.exec('ROLLBACK')
    db.close()
  }
}
