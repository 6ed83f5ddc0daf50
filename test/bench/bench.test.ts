import {execa} from 'execa'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {ROOT} from '../helpers/cli.js'

const NODE = join(ROOT, 'node_modules/node/bin/node')

// The smoke mode of `npm run bench`: every workload runs at a tiny size. Times are not asserted
// (the machine is shared and noisy); structure, row counts and the absence of lost rows are.
test('npm run bench -- --quick measures every workload and loses no row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adw-bench-test-'))
  try {
    const out = join(dir, 'quick.json')
    const r = await execa(NODE, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {cwd: ROOT, reject: false, timeout: 120_000})
    assert.is(r.exitCode, 0, r.stderr)
    assert.not.match(r.stderr, /Warning|locked|busy/i)

    const table = r.stdout
    for (const title of ['engine overhead', 'shell step vs bare execa', 'cold start', 'history', 'chatty step', 'concurrent runs', 'peak RSS', 'sandboxed Bash call', 'fan-out, 8 steps', 'random DAG', 'cost figures over', 'adw eval, 4 trials', 'adw replay of a 5-turn agent run']) {
      assert.match(table, title)
    }
    assert.match(table, /goals met: \d+, missed: \d+/)

    const json = JSON.parse(readFileSync(out, 'utf8'))
    assert.is(json.quick, true)
    assert.ok(json.machine.nproc >= 1 && /^v\d+/.test(json.machine.node))
    const byId = Object.fromEntries(json.workloads.map((w: any) => [w.id, w]))
    assert.equal(Object.keys(byId).sort(), ['1', '10', '11', '12', '2', '3', '4', '5', '6', '7', '8', 'eval', 'replay'])
    // 12: the cost figures counted every run of the history.
    assert.is(byId['12'].data.runs, 1000)
    assert.ok(byId['12'].rows.find((r: any) => r.measure === 'runs counted')?.met)
    // eval: every trial decided and passed, none lost, at concurrency 8 and 1.
    assert.is(byId.eval.data.concurrency8.passed, byId.eval.data.concurrency8.trials)
    assert.is(byId.eval.data.concurrency1.passed, byId.eval.data.concurrency1.trials)
    // 10, 11: every fan-out item and every DAG step recorded as succeeded.
    assert.is(byId['10'].data.rows.succeeded, byId['10'].data.items)
    assert.is(byId['11'].data.rows.succeeded, byId['11'].data.steps)
    for (const w of json.workloads) {
      assert.ok(w.rows.length > 0, `workload ${w.id} has rows`)
      for (const row of w.rows) assert.ok(row.goal === undefined || typeof row.met === 'boolean', `${w.id}: ${row.measure}`)
    }

    const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0
    // 1: every N recorded all its steps (and at least two log rows a step).
    for (const n of byId['1'].data.ns) {
      const rows = byId['1'].data.rows[n]
      assert.is(rows.steps, n)
      assert.is(rows.succeeded, n)
      assert.ok(rows.logs >= 2 * n)
      assert.ok(positive(byId['1'].data.medianMs[n]))
    }
    assert.is(byId['1'].data.slopes.length, byId['1'].data.ns.length - 1)
    // 2: one output row per shell step.
    assert.is(byId['2'].data.rows.outputLogs, byId['2'].data.steps)
    assert.ok(positive(byId['2'].data.ratio))
    // 3, 4: every command timed; logs/runs printed 200 rows / 20 runs plus headers (and the runs total line).
    for (const k of ['node', 'version', 'run', 'projectRun']) assert.ok(positive(byId['3'].data.medianMs[k]), k)
    for (const k of ['version', 'logs', 'runs']) assert.ok(positive(byId['4'].data.medianMs[k]), k)
    assert.equal(byId['4'].data.linesPrinted, {logs: 201, runs: 22})
    assert.is(byId['4'].data.logRows, byId['4'].data.shape.runsWithLogs * byId['4'].data.shape.logsPerRun)
    // 5: the chatty step lost no line.
    assert.equal(byId['5'].data.outputRows, [byId['5'].data.lines])
    // 6: concurrent runs: all exit 0, every step and log row of every run is there.
    const six = byId['6'].data
    assert.ok(six.exitCodes.every((c: number) => c === 0), JSON.stringify(six.stderr))
    assert.is(six.rows.length, six.procs)
    for (const rows of six.rows) {
      assert.is(rows.succeeded, six.steps)
      assert.is(rows.logs, six.expectedLogRows)
    }
    // 7: a plausible RSS (between 10 MB and 2 GB) and every step recorded.
    assert.ok(byId['7'].data.medianMb > 10 && byId['7'].data.medianMb < 2048, String(byId['7'].data.medianMb))
    assert.is(byId['7'].data.rows.succeeded, byId['7'].data.steps)
    // 8: every Bash call timed, both ways.
    assert.is(byId['8'].data.samplesOnMs.length, byId['8'].data.calls)
    assert.ok(positive(byId['8'].data.medianOnMs) && positive(byId['8'].data.medianOffMs))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test.run()
