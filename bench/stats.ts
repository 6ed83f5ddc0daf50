// Workload 12 (issue 18): the cost page's figures (`/api/stats`, `adw stats`) over a history of 10,000
// runs: the dashboard's in-process answer, and the CLI's against `adw --version` timed alongside.
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'

import {computeStats} from '../src/history/stats.js'
import {openSqliteStore} from '../src/store/sqlite.js'
import {buildHistoryDb} from './history-db.js'
import {ADW, interleaved, median, mustRun, progress, tempDir} from './lib.js'
import {goal, ms, ratio, round, type WorkloadResult} from './report.js'

/** The history database of workload 4, with what the cost page groups: models, costs, review verdicts, fix loops. */
function statsDb(runs: number): string {
  const db = join(tempDir(), 'stats.db')
  buildHistoryDb(db, {runs, runsWithLogs: 1, logsPerRun: 10})
  const raw = new DatabaseSync(db)
  try {
    raw.exec('BEGIN IMMEDIATE')
    raw.exec(`UPDATE steps SET model = CASE id % 3 WHEN 0 THEN 'claude-haiku-4-5' ELSE 'claude-sonnet-4-5' END, cost_usd = 0.001 * (id % 37),
      input_tokens = 1000 + id % 900, output_tokens = 100 + id % 90, cache_read_tokens = 500 + id % 400, duration_ms = 1000 + (id * 7919) % 60000`)
    raw.exec(`UPDATE steps SET outputs = CASE WHEN id % 4 = 0 THEN '{"verdict":"FAIL","issues":["a"]}' ELSE '{"verdict":"PASS","issues":[]}' END WHERE step_id = 'review'`)
    // A fix loop (one or two iterations) in every fourth run.
    raw.exec(`INSERT INTO steps (adw_id, step_id, parent_id, iteration, executor, status, started_at, finished_at, duration_ms, model, cost_usd, outputs)
      SELECT adw_id, 'fix', 'fix_loop', it.n, 'agent', 'succeeded', started_at, finished_at, 20000, 'claude-sonnet-4-5', 0.02, '{}'
      FROM steps, (SELECT 1 AS n UNION ALL SELECT 2) it WHERE step_id = 'review' AND id % 4 = 0 AND (it.n = 1 OR id % 8 = 0)`)
    raw.exec('COMMIT')
  } finally {
    raw.close()
  }
  return db
}

export async function statsWorkload(runs: number, reps: number): Promise<WorkloadResult> {
  progress(`stats: ${runs} runs`)
  const db = statsDb(runs)
  const store = openSqliteStore(db)
  const inProcess: Record<string, number[]> = {all: [], days3: []}
  let figures
  try {
    figures = await computeStats(store)
    for (let r = 0; r < reps; r++) {
      for (const [key, days] of [['all', undefined], ['days3', 3]] as const) {
        const t = performance.now()
        await computeStats(store, {days, now: new Date('2026-01-08T00:00:00Z')})
        inProcess[key].push(performance.now() - t)
      }
    }
  } finally {
    await store.close()
  }
  const adwTime = async (args: string[]) => (await mustRun(ADW, args)).ms
  progress(`stats: adw stats --json / --version × ${reps}`)
  const t = await interleaved({version: () => adwTime(['--version']), stats: () => adwTime(['stats', '--json', '--db', db])}, reps)
  const [all, days3, version, cli] = [median(inProcess.all), median(inProcess.days3), median(t.version), median(t.stats)]
  return {
    id: '12',
    title: `cost figures over ${runs.toLocaleString('en')} runs (${figures.perStep.reduce((n, s) => n + s.executions, 0).toLocaleString('en')} step rows)`,
    rows: [
      goal('/api/stats in process, all time', ms(all, 1), '≤ 100 ms', all <= 100),
      {measure: '/api/stats in process, ?days=3', value: ms(days3, 1)},
      {measure: '`adw --version` (same moment)', value: ms(version, 0)},
      goal('`adw stats --json`', `${ms(cli, 0)} = ${ratio(cli / version)}`, '≤ 1.5× --version', cli / version <= 1.5),
      goal('runs counted', String(figures.runs), String(runs), figures.runs === runs),
    ],
    data: {runs, reps, samplesMs: {...inProcess, ...t}, medianMs: {all: round(all, 1), days3: round(days3, 1), version: round(version, 1), cli: round(cli, 1)}},
  }
}
