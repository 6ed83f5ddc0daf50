import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {processGone, waitGone} from '../helpers/process.js'
import {queueSchema, rows, startWorker, type QueueSchema, type WorkerProcess} from '../helpers/queue.js'

// `slow` blocks (sleeping, its pid in slow.pid) the first time it runs, and finishes at once the
// second time: a run cut off mid-step and resumed shows both attempts.
const PIPELINE = `name: failover
steps:
  - id: first
    uses: shell
    with:
      run: echo first >> ran-first
  - id: slow
    needs: [first]
    uses: shell
    with:
      run: |
        echo slow >> ran-slow
        if [ ! -f blocked-once ]; then touch blocked-once; sleep 120 & echo $! > slow.pid; wait; fi
        echo slow done
  - id: last
    needs: [slow]
    uses: shell
    with:
      run: echo last >> ran-last
`

const stepRuns = (db: string) => rows(db, 'SELECT step_id, status FROM steps ORDER BY id').map(r => `${r.step_id}:${r.status}`)

async function setup(): Promise<{q: QueueSchema; dir: string; db: string; workers: WorkerProcess[]; done: () => Promise<void>}> {
  const q = await queueSchema()
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'o.db')
  const workers: WorkerProcess[] = []
  return {
    q,
    dir,
    db,
    workers,
    done: async () => {
      for (const w of workers) w.proc.kill('SIGKILL')
      for (const w of workers) await w.proc
      await q.drop()
      rmDir(dir)
    },
  }
}

const queue = async (dir: string, db: string, env: Record<string, string>, id: string, extra: string[] = []) => {
  const r = await adw(['run', 'p.yaml', ...(extra.length ? extra : ['--queue']), '--adw-id', id, '--db', db], {cwd: dir, env})
  assert.is(r.exitCode, 0, r.stderr)
}

test('kill -9 of a worker mid-step: its run stops with it; after the lease expires another worker resumes it, the finished step reused', async () => {
  const {q, dir, db, workers, done} = await setup()
  try {
    await queue(dir, db, q.env, 'k9')
    const a = startWorker(dir, q.env, ['--db', db])
    workers.push(a)
    const took = await a.waitFor(e => e.event === 'run:take' && e.adwId === 'k9', 'worker A takes k9')
    await until(() => existsSync(join(dir, 'slow.pid')), 'the slow step is running')
    const sleeper = Number(readFileSync(join(dir, 'slow.pid'), 'utf8'))
    const b = startWorker(dir, q.env, ['--db', db])
    workers.push(b)
    await b.waitFor(e => e.event === 'worker:ready', 'worker B ready')

    process.kill(a.pid, 'SIGKILL')
    assert.is((await a.proc).signal, 'SIGKILL')
    // The run's process and its step's processes die with the worker (the stdin lifeline).
    assert.ok(await waitGone(took.pid!, 5000), 'the run child is gone')
    assert.ok(await waitGone(sleeper, 5000), "the step's sleep is gone")
    assert.is((await adw(['runs', '--db', db], {cwd: dir, env: q.env})).stdout.match(/k9\s+failover\s+(\w+)/)?.[1], 'interrupted')

    const end = await b.waitFor(e => e.event === 'run:end' && e.adwId === 'k9', 'worker B finishes k9', 60_000)
    assert.is(end.status, 'succeeded')
    assert.is(b.events.find(e => e.event === 'run:take' && e.adwId === 'k9')!.attempt, 2)
    assert.equal(stepRuns(db), ['first:succeeded', 'slow:interrupted', 'slow:succeeded', 'last:succeeded'])
    const reuse = rows(db, "SELECT message FROM agent_logs WHERE adw_id = 'k9' AND step_name = 'first' AND message LIKE '%reused%'")
    assert.is(reuse.length, 1, 'the finished step is reused, not run again')
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE adw_id = 'k9' AND message LIKE 'Run resumed%'")[0].n, 1)
    assert.ok(processGone(a.pid))
  } finally {
    await done()
  }
})

test('adw cancel reaches a run a worker executes (through the store, no signal) and adw approve puts a waiting run back on the queue for any worker', async () => {
  const {q, dir, db, workers, done} = await setup()
  try {
    const w = startWorker(dir, q.env, ['--db', db, '--concurrency', '2'])
    workers.push(w)
    await queue(dir, db, q.env, 'cx')
    await until(() => existsSync(join(dir, 'slow.pid')), 'the slow step is running')
    const r = await adw(['cancel', '--adw-id', 'cx', '--db', db], {cwd: dir, env: q.env})
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /Cancel requested \(run cx\): adw process \d+ stops it at its next heartbeat/)
    assert.match(r.stdout, /Run cx cancelled\./)
    assert.is((await w.waitFor(e => e.event === 'run:end' && e.adwId === 'cx', 'the worker reports cx')).status, 'cancelled')
    assert.equal(stepRuns(db), ['first:succeeded', 'slow:cancelled'])
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE adw_id = 'cx' AND message = 'Cancel requested by adw cancel: stopping the run'")[0].n, 1)

    // A queued run no worker took yet is cancelled at once, and the worker that gets its job skips it.
    await w.proc.kill('SIGTERM')
    assert.is((await w.proc).exitCode, 0)
    await queue(dir, db, q.env, 'never')
    const c = await adw(['cancel', '--adw-id', 'never', '--db', db], {cwd: dir, env: q.env})
    assert.match(c.stdout, /Run never cancelled \(it was queued; no worker had taken it\)\./)

    const gate = `name: gated
steps:
  - id: plan
    uses: shell
    with: {run: echo plan >> ran-plan}
  - id: ok
    needs: [plan]
    uses: approval
    with: {message: Build it?}
  - id: build
    needs: [ok]
    uses: shell
    with: {run: echo "build $ADW_WORKER_ID"}
`
    writeFileSync(join(dir, 'g.yaml'), gate)
    const a = startWorker(dir, q.env, ['--db', db])
    workers.push(a)
    assert.is((await a.waitFor(e => e.event === 'run:skip' && e.adwId === 'never', 'the cancelled job is skipped')).status, 'cancelled')
    const g = await adw(['run', 'g.yaml', '--queue', '--adw-id', 'ap', '--db', db], {cwd: dir, env: q.env})
    assert.is(g.exitCode, 0, g.stderr)
    assert.is((await a.waitFor(e => e.event === 'run:end' && e.adwId === 'ap', 'ap waits')).status, 'waiting')
    a.proc.kill('SIGTERM')
    assert.is((await a.proc).exitCode, 0)
    const b = startWorker(dir, q.env, ['--db', db])
    workers.push(b)
    const ok = await adw(['approve', 'ap', '--as', 'alice', '--db', db], {cwd: dir, env: q.env})
    assert.is(ok.exitCode, 0, ok.stderr)
    assert.match(ok.stdout, /Step ok of run ap approved by alice\. Run ap is back on queue default: a worker continues it/)
    assert.is((await b.waitFor(e => e.event === 'run:end' && e.adwId === 'ap', 'worker B finishes ap')).status, 'succeeded')
    assert.equal(rows(db, "SELECT step_id, status FROM steps WHERE adw_id = 'ap' ORDER BY id").map(s => `${s.step_id}:${s.status}`), ['plan:succeeded', 'ok:waiting', 'ok:succeeded', 'build:succeeded'])
    assert.equal(rows(db, "SELECT message FROM agent_logs WHERE adw_id = 'ap' AND message LIKE 'build %'").map(m => m.message), [`build ${b.events[0].worker}`])
    assert.is(readFileSync(join(dir, 'ran-plan'), 'utf8'), 'plan\n', 'plan ran once')
  } finally {
    await done()
  }
})

test('SIGTERM: the worker takes no new run, lets the running one finish, exits 0; with no grace left it hands the run back and another worker finishes it', async () => {
  const {q, dir, db, workers, done} = await setup()
  try {
    // Finish: SIGTERM while slow sleeps; the step is let finish (the sleep is cut short by the test).
    const a = startWorker(dir, q.env, ['--db', db, '--grace', '60'])
    workers.push(a)
    await queue(dir, db, q.env, 'g1')
    await until(() => existsSync(join(dir, 'slow.pid')), 'the slow step is running')
    a.proc.kill('SIGTERM')
    await a.waitFor(e => e.event === 'worker:stopping', 'A stops taking runs')
    await queue(dir, db, q.env, 'g2')
    process.kill(Number(readFileSync(join(dir, 'slow.pid'), 'utf8')), 'SIGKILL')
    assert.is((await a.proc).exitCode, 0)
    assert.is(a.events.find(e => e.event === 'run:end' && e.adwId === 'g1')?.status, 'succeeded')
    assert.not.ok(a.events.some(e => e.adwId === 'g2'), 'no new run taken while stopping')
    assert.is(rows(db, "SELECT status FROM runs WHERE adw_id = 'g2'")[0].status, 'queued')

    // Hand back: grace 0, the run stops at once, is recorded interrupted and taken by the next worker.
    rmSync(join(dir, 'blocked-once'))
    rmSync(join(dir, 'slow.pid'))
    const b = startWorker(dir, q.env, ['--db', db, '--grace', '0'])
    workers.push(b)
    await until(() => existsSync(join(dir, 'slow.pid')), 'g2 slow step is running')
    b.proc.kill('SIGTERM')
    assert.is((await b.proc).exitCode, 0)
    assert.ok(b.events.some(e => e.event === 'run:handback' && e.adwId === 'g2'))
    assert.is(rows(db, "SELECT status FROM runs WHERE adw_id = 'g2'")[0].status, 'interrupted')
    const c = startWorker(dir, q.env, ['--db', db])
    workers.push(c)
    assert.is((await c.waitFor(e => e.event === 'run:end' && e.adwId === 'g2', 'C finishes g2', 30_000)).status, 'succeeded')
    assert.equal(rows(db, "SELECT step_id, status FROM steps WHERE adw_id = 'g2' ORDER BY id").map(s => `${s.step_id}:${s.status}`), ['first:succeeded', 'slow:interrupted', 'slow:succeeded', 'last:succeeded'])
  } finally {
    await done()
  }
})

test('adw queue: each worker (host:pid, last seen) with the runs it executes, then the queued runs; --json', async () => {
  const {q, dir, db, workers, done} = await setup()
  try {
    const w = startWorker(dir, q.env, ['--db', db, '--queue', 'main'])
    workers.push(w)
    await queue(dir, db, q.env, 'busy', ['--queue', 'main'])
    await until(() => existsSync(join(dir, 'slow.pid')), 'the slow step is running')
    await queue(dir, db, q.env, 'waits1', ['--queue=other'])
    await queue(dir, db, q.env, 'waits2', ['--queue', 'other'])
    const id = w.events[0].worker
    await until(async () => JSON.parse((await adw(['queue', '--json', '--db', db], {cwd: dir, env: q.env})).stdout).workers[0]?.runs.length === 1, 'adw queue shows the busy run')
    const text = await adw(['queue', '--db', db], {cwd: dir, env: q.env})
    assert.is(text.exitCode, 0, text.stderr)
    assert.match(text.stdout, new RegExp(`Workers \\(1\\):\\n  ${id}  queue main  running  last seen \\d+ s ago  1/1 running\\n    busy  failover  running at slow  for \\d+ s\\nQueued \\(2\\), oldest first:\\n  waits1  queue other  failover  since .+\\n  waits2  queue other  failover  since .+$`))
    const view = JSON.parse((await adw(['queue', '--json', '--queue', 'other', '--db', db], {cwd: dir, env: q.env})).stdout)
    assert.equal(view.workers, [])
    assert.equal(view.queued.map((r: any) => r.adwId), ['waits1', 'waits2'])
    const bad = await adw(['queue', '--queue', 'no good', '--db', db], {cwd: dir, env: q.env})
    assert.is(bad.exitCode, 2)
    assert.match(bad.stderr, /--queue "no good" is not a queue name/)
    const none = await adw(['queue', '--db', db], {cwd: dir, env: {...q.env, ADW_QUEUE_URL: ''}})
    assert.is(none.exitCode, 2)
    assert.match(none.stderr, /The run queue lives in PostgreSQL, and no PostgreSQL URL is set/)
    const down = await adw(['run', 'p.yaml', '--queue', '--db', db], {cwd: dir, env: {...q.env, ADW_QUEUE_URL: 'postgres://root:secret@127.0.0.1:1/test'}})
    assert.is(down.exitCode, 2)
    assert.match(down.stderr, /Cannot reach the run queue at postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/test/)
    assert.not.match(down.stderr, /secret/)
    assert.is(rows(db, "SELECT count(*) AS n FROM runs")[0].n, 3, 'nothing recorded when the queue is down')
  } finally {
    await done()
  }
})

test.run()
