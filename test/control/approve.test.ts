// adw approve / adw reject on the store side, through the real CLI: explicit verbs recorded with
// who, when and the text; not waiting, twice, unknown, not an approver or timed out: exit 2 with
// nothing changed; two approving at once: exactly one wins. adw runs lists waiting runs first.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {adw, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {newRun, tempDb} from '../store/fixtures.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

/** A database holding runs stopped at a gate, as the engine leaves them (status waiting, one pending approval each). */
async function waitingRuns(ids: string[], gate: {approvers?: string[]; timeoutAt?: string; onTimeout?: 'approve' | 'reject'} = {}): Promise<string> {
  const {dir, db} = tempDb()
  dirs.push(dir)
  const store = openSqliteStore(db)
  for (const adwId of ids) {
    await store.createRun(newRun(adwId))
    await store.requestApproval({adwId, stepId: 'gate', iteration: 0, message: 'Approve the plan?', ...gate})
    await store.finishRun(adwId, 'waiting')
  }
  await store.createRun(newRun('busy'))
  await store.close()
  return db
}

const decisions = (db: string) => rows(db, 'SELECT adw_id, step_id, decision, decided_by, comment, decided_via FROM approvals ORDER BY id').map(r => ({...r}))

test('approve --no-resume records who, when and the comment, and a milestone; approving twice: exit 2, nothing changed', async () => {
  const db = await waitingRuns(['w1'])
  const r = await adw(['approve', 'w1', '--db', db, '--as', 'alice', '--comment', 'Plan looks right', '--no-resume'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.is(r.stdout, 'Step gate of run w1 approved by alice. Continue the run with: adw run --resume --adw-id w1')
  assert.equal(decisions(db), [{adw_id: 'w1', step_id: 'gate', decision: 'approved', decided_by: 'alice', comment: 'Plan looks right', decided_via: 'cli'}])
  assert.match(rows(db, 'SELECT decided_at FROM approvals')[0].decided_at, /^\d{4}-\d\d-\d\dT/)
  assert.equal(rows(db, "SELECT message FROM agent_logs WHERE adw_id = 'w1' AND log_type = 'milestone'").map(r => r.message), ['Step gate approved by alice: Plan looks right'])
  const again = await adw(['approve', 'w1', '--db', db, '--as', 'bob', '--no-resume'])
  assert.is(again.exitCode, 2)
  assert.match(again.stderr, /^Error: Step gate of run "w1" was already approved by alice at \d{4}-.*; nothing was changed\./)
  const reject = await adw(['reject', 'w1', '--db', db, '--reason', 'no', '--no-resume'])
  assert.is(reject.exitCode, 2)
  assert.equal(decisions(db).map(d => d.decided_by), ['alice'])
})

test('reject records the reason as the comment; --reason is required', async () => {
  const db = await waitingRuns(['w2'])
  const missing = await adw(['reject', 'w2', '--db', db, '--no-resume'])
  assert.is(missing.exitCode, 2)
  assert.match(missing.stderr, 'Missing required flag reason')
  const r = await adw(['reject', 'w2', '--db', db, '--reason', 'Split the migration out', '--as', 'carol', '--no-resume'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.equal(decisions(db), [{adw_id: 'w2', step_id: 'gate', decision: 'rejected', decided_by: 'carol', comment: 'Split the migration out', decided_via: 'cli'}])
})

test('an unknown id, a run that is not waiting, a step that is not a gate: exit 2, nothing changed', async () => {
  const db = await waitingRuns(['w3'])
  const unknown = await adw(['approve', 'nope', '--db', db, '--no-resume'])
  assert.is(unknown.exitCode, 2)
  assert.match(unknown.stderr, 'No run with adw_id "nope"')
  const busy = await adw(['approve', 'busy', '--db', db, '--no-resume'])
  assert.is(busy.exitCode, 2)
  assert.match(busy.stderr, 'Error: Run "busy" is not waiting for a decision (status: running); nothing was changed.')
  const step = await adw(['approve', 'w3', '--step', 'build', '--db', db, '--no-resume'])
  assert.is(step.exitCode, 2)
  assert.match(step.stderr, 'Run "w3" is not waiting for a decision at step build (its gates: gate)')
  assert.equal(decisions(db).map(d => d.decision), [null])
  assert.not.match(unknown.stderr + busy.stderr + step.stderr, '    at ')
})

test('only a listed approver may decide; the OS user is who decides without --as', async () => {
  const db = await waitingRuns(['w4'], {approvers: ['alice', 'bob']})
  const eve = await adw(['approve', 'w4', '--db', db, '--as', 'eve', '--no-resume'])
  assert.is(eve.exitCode, 2)
  assert.match(eve.stderr, 'eve may not decide step gate of run "w4": its approvers are alice, bob; nothing was changed.')
  const bob = await adw(['approve', 'w4', '--db', db, '--as', 'bob', '--no-resume'])
  assert.is(bob.exitCode, 0, bob.stderr)
  const open = await waitingRuns(['w5'])
  const me = await adw(['approve', 'w5', '--db', open, '--no-resume'], {env: {USER: 'someone'}})
  assert.is(me.exitCode, 0, me.stderr)
  assert.ok(decisions(open)[0].decided_by.length > 0)
})

test('a gate past its timeout is decided by its onTimeout (logged), not by a late approve', async () => {
  const db = await waitingRuns(['w6'], {timeoutAt: '2020-01-01T00:00:00.000Z', onTimeout: 'reject'})
  const late = await adw(['approve', 'w6', '--db', db, '--as', 'alice', '--no-resume'])
  assert.is(late.exitCode, 2)
  assert.match(late.stderr, 'was already rejected by timeout')
  assert.equal(decisions(db), [{adw_id: 'w6', step_id: 'gate', decision: 'rejected', decided_by: 'timeout', comment: 'no decision before 2020-01-01T00:00:00.000Z', decided_via: 'timeout'}])
  assert.match(rows(db, "SELECT message FROM agent_logs WHERE adw_id = 'w6' AND log_level = 'WARNING'")[0].message, 'Approval at step gate timed out (no decision before 2020-01-01T00:00:00.000Z): rejected (onTimeout: reject)')
})

test('two approvals at once: exactly one wins, the other is told who did', async () => {
  for (let round = 0; round < 3; round++) {
    const db = await waitingRuns(['race'])
    const [a, b] = await Promise.all([
      adw(['approve', 'race', '--db', db, '--as', 'alice', '--no-resume']),
      adw(['approve', 'race', '--db', db, '--as', 'bob', '--no-resume']),
    ])
    const codes = [a.exitCode, b.exitCode].sort()
    assert.equal(codes, [0, 2], `${a.stderr}\n${b.stderr}`)
    const winner = a.exitCode === 0 ? 'alice' : 'bob'
    assert.match((a.exitCode === 2 ? a : b).stderr, `already approved by ${winner}`)
    assert.equal(decisions(db).map(d => d.decided_by), [winner])
  }
})

test('adw runs shows waiting runs first', async () => {
  const db = await waitingRuns(['older-waiting'])
  const store = openSqliteStore(db)
  await store.createRun(newRun('newest'))
  await store.finishRun('newest', 'succeeded')
  await store.close()
  const r = await adw(['runs', '--db', db])
  assert.is(r.exitCode, 0, r.stderr)
  const ids = r.stdout.split('\n').slice(1).map(l => l.split(/\s+/)[0]).filter(id => ['older-waiting', 'newest', 'busy'].includes(id))
  assert.equal(ids[0], 'older-waiting')
  assert.match(r.stdout, /older-waiting\s+demo\s+waiting/)
})

test.run()
