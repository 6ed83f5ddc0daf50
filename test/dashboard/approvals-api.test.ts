// POST /api/runs/:id/approve and /reject: the guard (Origin) first, then the body, then the same
// refusals as adw approve/reject (409, nothing changed); a decision continues the run through
// adw run --resume, and a continuation that cannot start says why in the run's log.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'

import {openSqliteStore} from '../../src/store/sqlite.js'
import {rows} from '../helpers/db.js'
import {until} from '../helpers/deadline.js'
import {call, seeded} from './helpers.js'

const SNAPSHOT = 'name: t\nsteps:\n  - id: after\n    uses: shell\n    with:\n      run: echo continued\n'

async function waiting(db: string, adwId: string, workingDir: string, gate: {approvers?: string[]} = {}): Promise<void> {
  const store = openSqliteStore(db)
  await store.createRun({adwId, pipelineName: 't', pipelineFile: 't.yaml', pipelineSnapshot: SNAPSHOT, inputs: {}, workingDir})
  await store.requestApproval({adwId, stepId: 'gate', iteration: 0, message: 'Go on?', ...gate})
  await store.finishRun(adwId, 'waiting')
  await store.close()
}

const post = (origin: string, path: string, body: unknown, headers: Record<string, string> = {origin}) =>
  call(origin, path, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: typeof body === 'string' ? body : JSON.stringify(body)})

const decision = (db: string, adwId: string) => ({...rows(db, 'SELECT decision, decided_by, comment FROM approvals WHERE adw_id = ?', adwId)[0]})

test('the guard, bad bodies and the CLI’s refusals: clear 4xx JSON, nothing recorded', async () => {
  const ctx = await seeded(2)
  try {
    const base = ctx.ui.origin
    await waiting(ctx.db, 'w1', ctx.dir, {approvers: ['alice']})
    const none = await post(base, '/api/runs/w1/approve', {}, {})
    assert.is(none.status, 403)
    assert.is(none.body.error.code, 'FORBIDDEN_ORIGIN')
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ['approve', 'not json', 400, 'BAD_BODY', /The body is not JSON/],
      ['approve', [1], 400, 'BAD_BODY', /Send a JSON object/],
      ['approve', {comment: 'ok', reason: 'x'}, 400, 'BAD_BODY', /Unknown field "reason": approve takes as, step, comment/],
      ['approve', {comment: 42}, 400, 'BAD_BODY', /"comment" must be a string/],
      ['reject', {reason: '  '}, 400, 'REASON_REQUIRED', /A rejection needs a reason/],
      ['approve', {as: 'eve'}, 409, 'APPROVAL_INVALID', /eve may not decide step gate of run "w1": its approvers are alice; nothing was changed/],
      ['approve', {as: 'alice', step: 'build'}, 409, 'APPROVAL_INVALID', /not waiting for a decision at step build \(its gates: gate\)/],
    ]
    for (const [verb, body, status, code, message] of cases) {
      const r = await post(base, `/api/runs/w1/${verb}`, body)
      assert.is(r.status, status, JSON.stringify(body))
      assert.is(r.body.error.code, code)
      assert.match(r.body.error.message, message)
    }
    assert.equal(decision(ctx.db, 'w1'), {decision: null, decided_by: null, comment: null})
    const unknown = await post(base, '/api/runs/nope/approve', {})
    assert.is(unknown.status, 404)
    assert.is(unknown.body.error.code, 'RUN_NOT_FOUND')
    const finished = await post(base, `/api/runs/${ctx.ids[0]}/approve`, {})
    assert.is(finished.status, 409)
    assert.match(finished.body.error.message, new RegExp(`Run "${ctx.ids[0]}" is not waiting for a decision \\(status: succeeded\\); nothing was changed`))
  } finally {
    await ctx.done()
  }
})

test('approve: 202 with the decided gate, the run detail shows it, the run continues; approving again is 409 naming who', async () => {
  const ctx = await seeded(1)
  try {
    const base = ctx.ui.origin
    await waiting(ctx.db, 'w2', ctx.dir)
    const before = await call(base, '/api/runs/w2')
    assert.equal(before.body.approvals.map((a: any) => [a.stepId, a.message, a.decision]), [['gate', 'Go on?', null]])
    const r = await post(base, '/api/runs/w2/approve', {as: 'bob', comment: 'fine'})
    assert.is(r.status, 202)
    assert.equal([r.body.approval.decision, r.body.approval.decided_by, r.body.approval.comment], ['approved', 'bob', 'fine'])
    assert.type(r.body.continuedBy, 'number')
    await until(() => rows(ctx.db, "SELECT status FROM runs WHERE adw_id = 'w2'")[0].status === 'succeeded', 'the approved run to finish')
    assert.equal(rows(ctx.db, "SELECT step_id, status FROM steps WHERE adw_id = 'w2'").map(s => [s.step_id, s.status]), [['after', 'succeeded']])
    const after = await call(base, '/api/runs/w2')
    assert.equal(after.body.approvals.map((a: any) => [a.decision, a.decidedBy, a.comment]), [['approved', 'bob', 'fine']])
    const again = await post(base, '/api/runs/w2/reject', {reason: 'late'})
    assert.is(again.status, 409)
    assert.match(again.body.error.message, /already approved by bob at/)
  } finally {
    await ctx.done()
  }
})

test('a continuation that cannot start (the run’s working directory is gone) is logged in the run with adw’s message', async () => {
  const ctx = await seeded(1)
  try {
    await waiting(ctx.db, 'w3', join(ctx.dir, 'gone'))
    const r = await post(ctx.ui.origin, '/api/runs/w3/reject', {reason: 'no'})
    assert.is(r.status, 202)
    await until(() => rows(ctx.db, "SELECT 1 FROM agent_logs WHERE adw_id = 'w3' AND log_level = 'ERROR'").length === 1, 'the refusal in the log')
    const [row] = rows(ctx.db, "SELECT message FROM agent_logs WHERE adw_id = 'w3' AND log_level = 'ERROR'")
    assert.match(row.message, /^The run did not continue after the decision: .*working directory .*gone no longer exists/)
    assert.equal(decision(ctx.db, 'w3'), {decision: 'rejected', decided_by: r.body.approval.decided_by, comment: 'no'})
  } finally {
    await ctx.done()
  }
})

test.run()
