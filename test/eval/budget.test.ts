import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {afterTool, done, project, runEvalCli, writes} from './eval.helpers.js'

const cases = [1, 2, 3, 4, 5, 6].map(n => `  - {id: t${n}, fixture: fixture, prompt: "[t${n}] write ok.txt", checks: [{file: ok.txt}]}`).join('\n')
const SUITE = `name: budgeted
pipelines: [one-step]
models: [model-a]
concurrency: 1
cases:
${cases}
`

test('the budget stops the eval mid-way (exit 3, the trial under way stopped, none started); --resume with more finishes it without re-running what was decided', async () => {
  const fake = await startFakeAnthropic(req => (afterTool(req) ? done() : writes('ok.txt', 'ok')))
  const p = project(SUITE)
  try {
    // A trial is two calls of $0.0003: two trials, then the first call of the third reaches $0.0015, over $0.0014.
    const first = await runEvalCli([p.suite, '--db', p.db, '--max-usd', '0.0014'], {dir: p.dir, baseURL: fake.url})
    assert.is(first.exitCode, 3, first.stderr)
    const evalId = /eval id: (eval-[0-9a-f]+)/.exec(first.stderr)![1]
    assert.match(first.stdout, `Eval ${evalId} · suite budgeted · budget exceeded · $0.0015 spent`)
    assert.match(first.stdout, '2/2 (+4 undecided)')
    assert.match(first.stdout, `adw eval <suite.yaml> --resume ${evalId} --max-usd <more>`)
    assert.is(fake.messageRequests().length, 5)
    const stopped = rows(p.db, 'SELECT run_key, status, adw_id FROM eval_runs ORDER BY position')
    assert.equal(stopped.map(r => r.status), ['passed', 'passed', 'budget_exceeded', 'pending', 'pending', 'pending'])
    assert.is(rows(p.db, 'SELECT status FROM runs WHERE adw_id = ?', stopped[2].adw_id)[0].status, 'budget_exceeded')
    assert.is(rows(p.db, 'SELECT status FROM evals')[0].status, 'budget_exceeded')

    const again = await runEvalCli([p.suite, '--db', p.db, '--resume', evalId, '--max-usd', '1'], {dir: p.dir, baseURL: fake.url})
    assert.is(again.exitCode, 0, again.stderr)
    assert.match(again.stdout, '6/6')
    // Trial 3 resumed in its folder (its stopped step ran again: 2 calls), trials 4-6 ran; 1 and 2 were not run again.
    assert.is(fake.messageRequests().length, 5 + 2 + 6)
    const after = rows(p.db, 'SELECT status, adw_id FROM eval_runs ORDER BY position')
    assert.equal(after.map(r => r.status), ['passed', 'passed', 'passed', 'passed', 'passed', 'passed'])
    assert.equal(after.slice(0, 3).map(r => r.adw_id), stopped.slice(0, 3).map(r => r.adw_id))
    assert.is(rows(p.db, 'SELECT count(*) AS n FROM runs')[0].n, 6)
    assert.is(rows(p.db, 'SELECT status FROM evals')[0].status, 'completed')

    const done = await runEvalCli([p.suite, '--db', p.db, '--resume', evalId], {dir: p.dir, baseURL: fake.url})
    assert.is(done.exitCode, 0, done.stderr)
    assert.is(fake.messageRequests().length, 13, 'a completed eval runs nothing')
  } finally {
    await fake.close()
    rmDir(p.dir)
  }
})

test.run()
