import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'

import {startRun} from '../../src/engine/start.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {queueSchema, rows, startWorker} from '../helpers/queue.js'

// Two steps, each printing two lines: every run writes the same log rows, so a run executed twice
// (or a lost row) shows in the counts.
const PIPELINE = `name: two
inputs:
  n: {type: string, required: true}
steps:
  - id: first
    uses: shell
    with:
      run: echo "first {{inputs.n}}"; echo "by $ADW_WORKER_ID"
  - id: second
    needs: [first]
    uses: shell
    with:
      run: echo "second {{inputs.n}}"; echo done
`

test('4 workers × 40 queued runs: each run executed exactly once, by one worker, with every step and log row written once', async () => {
  const q = await queueSchema()
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'o.db')
  Object.assign(process.env, q.env)
  const workers: ReturnType<typeof startWorker>[] = []
  try {
    // One through the CLI, as a user would; the rest through the same function, to keep the test fast.
    const cli = await adw(['run', 'p.yaml', '--queue', '--adw-id', 'r00', '--input', 'n=0', '--db', db], {cwd: dir, env: q.env})
    assert.is(cli.exitCode, 0, cli.stderr)
    assert.is(cli.stdout, 'r00')
    assert.match(cli.stderr, /Queued on default: an adw worker runs it/)
    for (let i = 1; i < 40; i++) {
      const id = `r${String(i).padStart(2, '0')}`
      const out = await startRun({pipeline: 'p.yaml', adwId: id, inputs: [`n=${i}`], db, cwd: dir, mode: 'silent', queue: 'default'})
      assert.is(out.status, 'queued')
    }
    assert.is(rows(db, "SELECT count(*) AS n FROM runs WHERE status = 'queued'")[0].n, 40)

    for (let w = 0; w < 4; w++) workers.push(startWorker(dir, q.env, ['--concurrency', '2', '--db', db]))
    await until(() => rows(db, "SELECT count(*) AS n FROM runs WHERE status = 'succeeded'")[0].n === 40, '40 runs succeeded', 150_000)

    const allEnds = () => workers.flatMap(w => w.events.filter(e => e.event === 'run:end'))
    await until(() => allEnds().length >= 40, 'the workers report 40 run ends', 20_000)
    const ends = allEnds()
    assert.is(ends.length, 40, 'one run:end per run, over all workers')
    assert.is(new Set(ends.map(e => e.adwId)).size, 40)
    assert.ok(workers.filter(w => w.events.some(e => e.event === 'run:end')).length >= 2, 'the work is shared between workers')
    assert.is(workers.flatMap(w => w.events.filter(e => e.event === 'run:take')).length, 40, 'no run was taken twice')

    const steps = rows(db, "SELECT adw_id, group_concat(step_id || ':' || status, ',') AS s FROM (SELECT * FROM steps ORDER BY id) GROUP BY adw_id")
    assert.is(steps.length, 40)
    for (const s of steps) assert.is(s.s, 'first:succeeded,second:succeeded', `steps of ${s.adw_id}`)
    const logs = rows(db, "SELECT adw_id, count(*) AS n, sum(message LIKE 'Run started%') AS started, sum(message LIKE 'Run succeeded%') AS ended FROM agent_logs GROUP BY adw_id")
    assert.is(logs.length, 40)
    const counts = new Set(logs.map(l => l.n))
    assert.is(counts.size, 1, `every run wrote the same number of log rows: ${[...counts].join(', ')}`)
    for (const l of logs) assert.equal([l.started, l.ended], [1, 1], `one start and one end milestone in ${l.adw_id}`)
    // Each run's output names the worker that ran it, and that worker reported it.
    for (const e of ends) {
      const out = rows(db, "SELECT message FROM agent_logs WHERE adw_id = ? AND message LIKE 'by %'", e.adwId!)
      assert.equal(out.map(o => o.message), [`by ${e.worker}`])
    }

    for (const w of workers) w.proc.kill('SIGTERM')
    for (const w of workers) assert.is((await w.proc).exitCode, 0)
    assert.equal(await q.query(`SELECT state, count(*)::int AS n FROM "${q.schema}".job WHERE name = 'adw.default' GROUP BY state`), [{state: 'completed', n: 40}])
  } finally {
    for (const w of workers) w.proc.kill('SIGKILL')
    for (const k of Object.keys(q.env)) delete process.env[k]
    await q.drop()
    rmDir(dir)
  }
})

test.run()
