// The example pipeline plan-approve-build end to end with the fake Messages API: plan → the run
// waits; a rejection re-plans with the reviewer's reason (sent to the model) and waits again; the
// approval builds. Every decision is recorded with who and why.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {adw, ROOT, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const PIPELINE = join(ROOT, 'pipelines/examples/plan-approve-build.yaml')

test('plan, reject with a reason, re-plan with it, approve, build', async () => {
  const dir = tmpDir({'README.md': '# demo\n'}, 'adw-replan-')
  const plan = 'specs/rp1-plan.md'
  const routes = routeByPrompt({
    'Plan the following task': [reply.tool('Write', {file_path: plan, content: '# Plan: login\n'}), reply.json({plan_file: plan, summary: 'Add a login page.'})],
    'A reviewer rejected the plan': [reply.tool('Write', {file_path: plan, content: '# Plan: login, with tests\n'}), reply.text('Added a testing section.')],
    'Implement the plan in': [reply.text('Implemented.')],
  })
  const fake = await startFakeAnthropic(routes)
  const env = {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
  const db = join(dir, 'x.db')
  try {
    const first = await adw(['run', PIPELINE, '--adw-id', 'rp1', '--prompt', 'Add login', '--working-dir', dir, '--db', db], {env})
    assert.is(first.exitCode, 0, first.stderr + first.stdout)
    assert.match(first.stderr, 'Run rp1 is waiting for approval at step approve_plan: Read the plan in specs/rp1-plan.md (Add a login page.). Build it?')

    const no = await adw(['reject', 'rp1', '--db', db, '--as', 'rita', '--reason', 'Add tests for the failed-login path'], {env})
    assert.is(no.exitCode, 0, no.stderr + no.stdout)
    assert.match(no.stderr, 'waiting for approval at step approve_plan')
    const replan = fake.messageRequests().find(r => JSON.stringify(r.body).includes('A reviewer rejected the plan'))
    assert.ok(replan, 'the re-plan step ran')
    assert.match(JSON.stringify(replan!.body), 'Their reason (rita): Add tests for the failed-login path')
    assert.is(readFileSync(join(dir, plan), 'utf8'), '# Plan: login, with tests\n')

    const yes = await adw(['approve', 'rp1', '--db', db, '--as', 'alex', '--comment', 'Good now'], {env})
    assert.is(yes.exitCode, 0, yes.stderr + yes.stdout)
    const build = fake.messageRequests().find(r => JSON.stringify(r.body).includes('Implement the plan in'))
    assert.match(JSON.stringify(build!.body), 'which a reviewer approved\\n(alex: Good now)')
    assert.equal(routes.left(), {})
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
    assert.equal(rows(db, 'SELECT step_id, iteration, decision, decided_by, comment FROM approvals ORDER BY id').map(r => ({...r})), [
      {step_id: 'approve_plan', iteration: 1, decision: 'rejected', decided_by: 'rita', comment: 'Add tests for the failed-login path'},
      {step_id: 'approve_plan', iteration: 2, decision: 'approved', decided_by: 'alex', comment: 'Good now'},
    ])
    assert.equal(rows(db, "SELECT step_id, iteration, status FROM steps WHERE status != 'waiting' ORDER BY id").map(r => `${r.step_id}#${r.iteration}:${r.status}`), [
      'plan#0:succeeded', 'approve_plan#1:succeeded', 'replan#1:succeeded', 'approve_plan#2:succeeded', 'replan#2:skipped', 'build#0:succeeded',
    ])
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
