import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, isolatedEnv, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until} from '../helpers/deadline.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {waitGone} from '../helpers/process.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {afterTool, done, project, promptOf, runEvalCli, writes} from './eval.helpers.js'

const SUITE = `name: killed
pipelines: [one-step]
models: [model-a]
concurrency: 1
cases:
  - {id: t1, fixture: fixture, prompt: "[t1] write ok.txt", checks: [{file: ok.txt}]}
  - {id: t2, fixture: fixture, prompt: "[t2] write ok.txt", checks: [{file: ok.txt}]}
  - {id: t3, fixture: fixture, prompt: "[t3] write ok.txt", checks: [{file: ok.txt}]}
`

test('kill -9 in the middle of an eval: it shows interrupted; --resume keeps the decided trial, resumes the cut-off one in its folder, runs the rest', async () => {
  let hang = true
  const fake = await startFakeAnthropic(req => {
    if (afterTool(req)) return done()
    if (hang && promptOf(req).includes('[t2]')) return reply.hang('working')
    return writes('ok.txt', 'ok')
  })
  const p = project(SUITE)
  try {
    const child = execa(ADW, ['eval', p.suite, '--db', p.db], {cwd: p.dir, env: {...isolatedEnv(), ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}, reject: false, stdin: 'ignore'})
    await until(() => fake.messageRequests().some(r => promptOf(r).includes('[t2]')), 'the t2 trial to call the model', 60_000)
    child.kill('SIGKILL')
    await child
    await waitGone(child.pid!)
    const before = rows(p.db, 'SELECT status, adw_id FROM eval_runs ORDER BY position')
    assert.equal(before.map(r => r.status), ['passed', 'running', 'pending'])
    const evalId = rows(p.db, 'SELECT eval_id FROM evals')[0].eval_id
    const list = await runEvalCli(['list', '--db', p.db], {dir: p.dir, baseURL: fake.url})
    assert.match(list.stdout, new RegExp(`${evalId} +killed +interrupted`))

    hang = false
    const calls = fake.messageRequests().length
    const resumed = await runEvalCli([p.suite, '--db', p.db, '--resume', evalId], {dir: p.dir, baseURL: fake.url})
    assert.is(resumed.exitCode, 0, resumed.stderr)
    assert.match(resumed.stdout, '3/3')
    const after = rows(p.db, 'SELECT status, adw_id FROM eval_runs ORDER BY position')
    assert.equal(after.map(r => r.status), ['passed', 'passed', 'passed'])
    assert.equal(after.map(r => r.adw_id).slice(0, 2), before.map(r => r.adw_id).slice(0, 2))
    // t1 was not run again: t2's step again (2 calls) and t3 (2 calls).
    assert.is(fake.messageRequests().length - calls, 4)
    assert.is(rows(p.db, 'SELECT status FROM runs WHERE adw_id = ?', before[1].adw_id)[0].status, 'succeeded')
    assert.ok(rows(p.db, "SELECT count(*) AS n FROM agent_logs WHERE adw_id = ? AND message LIKE 'Run resumed%'", before[1].adw_id)[0].n === 1)
  } finally {
    await fake.close()
    rmDir(p.dir)
  }
})

test.run()
