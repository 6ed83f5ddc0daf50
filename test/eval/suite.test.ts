import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {startFakeAnthropic, type FakeAnthropic} from '../helpers/fake-anthropic.js'
import {afterTool, done, project, promptOf, runEvalCli, writes} from './eval.helpers.js'

const SUITE = `name: tiny
pipelines: [one-step]
models: [model-a, model-b]
repeat: 2
concurrency: 4
cases:
  - id: c1
    fixture: fixture
    prompt: "[c1] write ok.txt"
    checks:
      - file: ok.txt
        contains: ok
  - id: c2
    fixture: fixture
    prompt: "[c2] write done.txt"
    checks:
      - run: test "$(cat done.txt)" = yes
  - id: c3
    fixture: fixture
    prompt: "[c3] write three.txt"
    checks:
      - file: three.txt
      - file: README.md
        contains: tiny
`

/**
 * model-a passes c1 and c2 and one of its two c3 trials (the second c3 trial it starts writes the wrong file);
 * model-b passes c1 and c3 and fails c2 (it writes "no").
 */
function scripted(): (req: any) => any {
  const c3a = {n: 0}
  return req => {
    if (afterTool(req)) return done()
    const p = promptOf(req)
    const model = req.body.model
    if (p.includes('[c1]')) return writes('ok.txt', 'ok\n')
    if (p.includes('[c2]')) return writes('done.txt', model === 'model-a' ? 'yes' : 'no')
    if (model === 'model-a' && ++c3a.n === 2) return writes('other.txt', 'x')
    return writes('three.txt', '3')
  }
}

let fake: FakeAnthropic
test.before(async () => {
  fake = await startFakeAnthropic(scripted())
})
test.after(async () => {
  await fake.close()
})

test('3 cases × 2 models × 2 repeats: exact pass rates and costs, in the terminal, --json and the Markdown report', async () => {
  const p = project(SUITE)
  try {
    const r = await runEvalCli([p.suite, '--db', p.db, '--json', '--report', 'report.md'], {dir: p.dir, baseURL: fake.url})
    assert.is(r.exitCode, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    const [a, b] = report.variants
    assert.is(a.variant, 'one-step · model-a')
    assert.is(`${a.passed}/${a.trials}`, '5/6')
    assert.is(`${b.passed}/${b.trials}`, '4/6')
    // Two calls per trial of 100 input + 20 output tokens: model-a $0.0003 a call, model-b $0.0006.
    assert.is(a.costUsd, 0.0036)
    assert.is(b.costUsd, 0.0072)
    assert.is(a.costPerSuccess, 0.00072)
    assert.is(b.costPerSuccess, 0.0018)
    assert.is(a.tokensPerTrial, 240)
    assert.is(report.costUsd, 0.0108)
    assert.ok(a.interval.low < 5 / 6 && a.interval.high > 5 / 6)
    assert.is(report.differences.length, 1)
    assert.is(report.differences[0].significant, false)
    assert.equal(report.failing.map((f: any) => f.caseId).sort(), ['c2', 'c2', 'c3'])
    const c2 = report.failing.find((f: any) => f.caseId === 'c2')
    assert.match(c2.reason, 'check failed: test "$(cat done.txt)" = yes')
    assert.ok(c2.open.includes(`adw logs --adw-id ${c2.adwId}`))
    // Ordinary runs, tagged with the eval: 12 of them, and the eval's rows.
    assert.is(rows(p.db, 'SELECT count(*) AS n FROM runs')[0].n, 12)
    assert.is(rows(p.db, "SELECT count(*) AS n FROM eval_runs WHERE eval_id = ? AND status IN ('passed', 'failed')", report.evalId)[0].n, 12)
    assert.is(rows(p.db, 'SELECT status FROM evals')[0].status, 'completed')
    const md = readFileSync(join(p.dir, 'report.md'), 'utf8')
    assert.match(md, `# Eval ${report.evalId}: tiny`)
    assert.match(md, '| one-step · model-a | 5/6 | 83% |')
    assert.match(md, `adw logs --adw-id ${c2.adwId}`)

    const list = await runEvalCli(['list', '--db', p.db, '--json'], {dir: p.dir, baseURL: fake.url})
    assert.is(list.exitCode, 0, list.stderr)
    assert.equal(JSON.parse(list.stdout).map((e: any) => [e.evalId, e.status, e.passed, e.failed, e.costUsd]), [[report.evalId, 'completed', 9, 3, 0.0108]])

    // The terminal table, rebuilt from the store by a second eval of model-a only (c3 passes both times now), then compared.
    const second = await runEvalCli([p.suite, '--db', p.db, '--model', 'model-a'], {dir: p.dir, baseURL: fake.url})
    assert.is(second.exitCode, 0, second.stderr)
    const secondId = /eval id: (eval-[0-9a-f]+)/.exec(second.stderr)![1]
    assert.match(second.stdout, `Eval ${secondId} · suite tiny · completed · $0.0036 spent`)
    assert.match(second.stdout, /one-step · model-a +6\/6 +100% +61%–100% +\$0\.0006 /)
    assert.match(second.stderr, `✔ c1 · one-step · model-a · #1  passed`)
    const compare = await runEvalCli(['compare', report.evalId, secondId, '--db', p.db], {dir: p.dir, baseURL: fake.url})
    assert.is(compare.exitCode, 0, compare.stderr)
    assert.match(compare.stdout, /one-step · model-a +5\/6 83% +6\/6 100% +\+17 points +1\.000 +-\$0\.0001/)
    assert.match(compare.stdout, `Not compared: one-step · model-b (only in ${report.evalId})`)
    assert.match(compare.stdout, 'c3 (one-step · model-a): 1/2 → 2/2')
    const json = JSON.parse((await runEvalCli(['compare', report.evalId, secondId, '--db', p.db, '--json'], {dir: p.dir, baseURL: fake.url})).stdout)
    assert.is(json.variants[0].significant, false)
    const unknown = await runEvalCli(['compare', report.evalId, 'eval-nope', '--db', p.db], {dir: p.dir, baseURL: fake.url})
    assert.is(unknown.exitCode, 2)
    assert.match(unknown.stderr, 'No eval with id "eval-nope". Recent evals:')
  } finally {
    rmDir(p.dir)
  }
})

test.run()
