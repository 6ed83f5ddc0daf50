// Workload `queue`: `adw worker` processes drain queued one-step runs (adw run --queue) from the
// PostgreSQL queue (pg-boss) into one store. Measured: runs/s with 1 worker and with 4 (each
// --concurrency 2), and the scaling between them. Every run must end succeeded, executed once.
// Needs PostgreSQL (ADW_BENCH_PG_URL, default postgres://root@127.0.0.1:5432/test); each measure
// uses its own schema, dropped after.
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {setTimeout as sleep} from 'node:timers/promises'

import {ADW, childEnv, progress, ROOT, tempDir, writeFile} from './lib.js'
import {goal, ratio, round, type WorkloadResult} from './report.js'

const PG_URL = process.env.ADW_BENCH_PG_URL || 'postgres://root@127.0.0.1:5432/test'

const count = (db: string, sql: string): number => {
  const conn = new DatabaseSync(db, {readOnly: true, timeout: 10_000})
  try {
    return (conn.prepare(sql).get() as {n: number}).n
  } finally {
    conn.close()
  }
}

/** Enqueues `runs` one-step runs, starts `workers` workers, times until every run succeeded. */
async function drain(runs: number, workers: number, concurrency: number): Promise<{seconds: number; runsPerSecond: number; succeeded: number; stepRows: number; takes: number}> {
  const dir = tempDir('adw-bench-queue-')
  writeFile(join(dir, 'one.yaml'), 'name: one\nsteps:\n  - id: hello\n    uses: shell\n    with:\n      run: echo hello\n')
  const db = join(dir, 'o.db')
  const schema = `adw_bench_${process.pid}_${workers}_${Date.now().toString(36)}`
  const env = {ADW_QUEUE_URL: PG_URL, ADW_QUEUE_SCHEMA: schema, ADW_QUEUE_POLL_SECONDS: '0.5', ADW_QUEUE_SUPERVISE_SECONDS: '5', ADW_WORKER_PRESENCE_SECONDS: '2'}
  Object.assign(process.env, env)
  const {startRun} = await import(join(ROOT, 'src/engine/start.ts'))
  const pg = (await import('pg')).default
  const client = new pg.Client({connectionString: PG_URL})
  await client.connect()
  const procs: ChildProcess[] = []
  try {
    for (let i = 0; i < runs; i++) await startRun({pipeline: 'one.yaml', adwId: `q${i}`, db, cwd: dir, mode: 'silent', queue: 'default'})
    progress(`queue: ${runs} runs queued; ${workers} worker(s) × ${concurrency}`)
    let takes = 0
    const t0 = performance.now()
    for (let w = 0; w < workers; w++) {
      const p = spawn(ADW, ['worker', '--json', '--concurrency', String(concurrency), '--db', db], {cwd: dir, env: childEnv(env), stdio: ['ignore', 'pipe', 'inherit']})
      p.stdout!.setEncoding('utf8').on('data', (d: string) => (takes += d.split('"event":"run:take"').length - 1))
      procs.push(p)
    }
    while (count(db, "SELECT count(*) AS n FROM runs WHERE status = 'succeeded'") < runs) await sleep(100)
    const seconds = (performance.now() - t0) / 1000
    return {seconds: round(seconds, 2), runsPerSecond: round(runs / seconds, 2), succeeded: count(db, "SELECT count(*) AS n FROM runs WHERE status = 'succeeded'"), stepRows: count(db, 'SELECT count(*) AS n FROM steps'), takes}
  } finally {
    for (const p of procs) p.kill('SIGTERM')
    await Promise.all(procs.map(p => new Promise(r => (p.exitCode !== null ? r(null) : p.on('close', r)))))
    for (const k of Object.keys(env)) delete process.env[k]
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
    await client.end()
  }
}

export async function queueDrain(runs: number): Promise<WorkloadResult> {
  const one = await drain(runs, 1, 2)
  const four = await drain(runs, 4, 2)
  const scaling = four.runsPerSecond / one.runsPerSecond
  return {
    id: 'queue',
    title: `queue: workers drain ${runs} one-step runs`,
    rows: [
      {measure: '1 worker × 2: runs/s', value: `${one.runsPerSecond} (${one.seconds} s)`},
      {measure: '4 workers × 2: runs/s', value: `${four.runsPerSecond} (${four.seconds} s)`},
      goal('scaling 1 → 4 workers', ratio(scaling), '≥ 1.5× (a 2-core machine: child start-up is CPU-bound)', scaling >= 1.5),
      goal('every run executed once', `${four.succeeded}/${runs} succeeded, ${four.stepRows} step rows`, `${runs}/${runs}, ${runs} rows`, one.succeeded === runs && four.succeeded === runs && four.stepRows === runs && one.stepRows === runs),
    ],
    data: {runs, one, four, scaling: round(scaling, 2)},
  }
}
