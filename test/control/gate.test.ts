// Approval gates end to end through the real CLI: the run records `waiting` and exits 0 with the
// commands to continue; adw approve resumes it with the gate's outputs feeding later steps; a
// rejection fails the run (or, with onReject: continue, flows on); a timeout decides by onTimeout;
// adw run --wait blocks until someone decides from another process.
import {execa} from 'execa'
import {readFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until, waitingFor} from '../helpers/deadline.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const pipeline = (gate: string) => `name: gated
steps:
  - id: plan
    uses: noop
    with: {outputs: {summary: add a login page}}
  - id: gate
    uses: approval
    with:
      message: "Approve: {{steps.plan.outputs.summary}}?"
${gate.replace(/^/gm, '      ')}
  - id: build
    uses: shell
    with: {run: 'printf "%s|%s|%s" {{steps.gate.outputs.approved}} {{steps.gate.outputs.by}} {{steps.gate.outputs.comment}} > built.txt'}
`

const project = (gate = 'onReject: fail') => {
  const dir = tmpDir({'p.yaml': pipeline(gate)}, 'adw-gate-')
  dirs.push(dir)
  return dir
}
const status = (dir: string) => rows(join(dir, 'x.db'), 'SELECT status FROM runs')[0].status
const stepRuns = (dir: string) => rows(join(dir, 'x.db'), 'SELECT step_id, status FROM steps ORDER BY id').map(r => `${r.step_id}:${r.status}`)

test('the run waits at the gate (exit 0, the commands printed); approve records the decision and continues it', async () => {
  const dir = project()
  const r = await adw(['run', 'p.yaml', '--adw-id', 'g1', '--db', 'x.db'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stderr, 'Run g1 is waiting for approval at step gate: Approve: add a login page?\nContinue it with one of:\n  adw approve g1 --comment "..."\n  adw reject g1 --reason "..."')
  assert.is(status(dir), 'waiting')
  // The plain view says the gate waits (not that it was skipped), and why the build has not run.
  assert.match(r.stdout, '◼ gate — waiting for approval\n↓ build [SKIPPED: not run: the run waits for approval]')
  assert.not.match(r.stdout, 'SKIPPED: waiting')
  assert.equal(stepRuns(dir), ['plan:succeeded', 'gate:waiting'])
  assert.ok(!existsSync(join(dir, 'built.txt')))
  const runs = await adw(['runs', '--db', 'x.db'], {cwd: dir})
  assert.match(runs.stdout, /g1\s+gated\s+waiting/)
  const pending = await adw(['runs', 'show', 'g1', '--db', 'x.db'], {cwd: dir})
  assert.match(pending.stdout, /Approvals:\n  gate: waiting since .* — adw approve g1 \/ adw reject g1 --reason "\.\.\."/)

  const ok = await adw(['approve', 'g1', '--db', 'x.db', '--as', 'alice', '--comment', 'ship it'], {cwd: dir})
  assert.is(ok.exitCode, 0, ok.stderr + ok.stdout)
  assert.match(ok.stderr, 'Step gate of run g1 approved by alice. Continuing the run…')
  assert.is(readFileSync(join(dir, 'built.txt'), 'utf8'), 'true|alice|ship it')
  assert.is(status(dir), 'succeeded')
  assert.equal(stepRuns(dir), ['plan:succeeded', 'gate:waiting', 'gate:succeeded', 'build:succeeded'])
  const shown = await adw(['runs', 'show', 'g1', '--db', 'x.db'], {cwd: dir})
  assert.match(shown.stdout, /Approvals:\n  gate: approved by alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d — ship it/)
  const json = JSON.parse((await adw(['runs', 'show', 'g1', '--db', 'x.db', '--json'], {cwd: dir})).stdout)
  assert.equal([json.approvals[0].decision, json.approvals[0].decided_by, json.approvals[0].comment], ['approved', 'alice', 'ship it'])
  const again = await adw(['approve', 'g1', '--db', 'x.db'], {cwd: dir})
  assert.is(again.exitCode, 2)
  assert.match(again.stderr, 'is not waiting for a decision: step gate was already approved by alice')
})

test('a rejection fails the run (exit 1) with who and why; the build never runs', async () => {
  const dir = project()
  assert.is((await adw(['run', 'p.yaml', '--adw-id', 'g2', '--db', 'x.db'], {cwd: dir})).exitCode, 0)
  const no = await adw(['reject', 'g2', '--db', 'x.db', '--as', 'bob', '--reason', 'too big'], {cwd: dir})
  assert.is(no.exitCode, 1, no.stderr + no.stdout)
  assert.is(status(dir), 'failed')
  assert.match(rows(join(dir, 'x.db'), 'SELECT error FROM runs')[0].error, 'step gate rejected by bob: too big')
  assert.ok(!existsSync(join(dir, 'built.txt')))
})

test('onReject: continue lets the outputs flow: approved false, the reason as comment', async () => {
  const dir = project('onReject: continue')
  await adw(['run', 'p.yaml', '--adw-id', 'g3', '--db', 'x.db'], {cwd: dir})
  const no = await adw(['reject', 'g3', '--db', 'x.db', '--as', 'bob', '--reason', 'later'], {cwd: dir})
  assert.is(no.exitCode, 0, no.stderr)
  assert.is(readFileSync(join(dir, 'built.txt'), 'utf8'), 'false|bob|later')
})

test('a timeout decides by onTimeout when the run is next touched, and is logged', async () => {
  const dir = project('timeout: 1s\nonTimeout: approve')
  await adw(['run', 'p.yaml', '--adw-id', 'g4', '--db', 'x.db'], {cwd: dir})
  await new Promise(r => setTimeout(r, 1200))
  const r = await adw(['run', '--resume', '--adw-id', 'g4', '--db', 'x.db'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.is(readFileSync(join(dir, 'built.txt'), 'utf8'), 'true|timeout|no decision before ' + rows(join(dir, 'x.db'), 'SELECT timeout_at FROM approvals')[0].timeout_at)
  const logs = await adw(['logs', 'g4', '--db', 'x.db'], {cwd: dir})
  assert.match(logs.stdout, /Approval at step gate timed out \(no decision before .*\): approved \(onTimeout: approve\)/)
  const rejecting = project('timeout: 1s')
  await adw(['run', 'p.yaml', '--adw-id', 'g5', '--db', 'x.db'], {cwd: rejecting})
  await new Promise(r => setTimeout(r, 1200))
  const late = await adw(['approve', 'g5', '--db', 'x.db'], {cwd: rejecting})
  assert.is(late.exitCode, 2)
  assert.match(late.stderr, 'was already rejected by timeout')
  const after = await adw(['run', '--resume', '--adw-id', 'g5', '--db', 'x.db'], {cwd: rejecting})
  assert.is(after.exitCode, 1)
  assert.is(status(rejecting), 'failed')
})

test('adw run --wait blocks until adw approve, from another process, decides; the waiting process continues the run', async () => {
  const dir = project()
  const waiting = execa(ADW, ['run', 'p.yaml', '--adw-id', 'g6', '--db', 'x.db', '--wait'], {cwd: dir, env: {...isolatedEnv()}, reject: false, timeout: 60_000})
  try {
    const isWaiting = () => {
      try {
        return rows(join(dir, 'x.db'), "SELECT status FROM runs WHERE adw_id = 'g6'")[0]?.status === 'waiting'
      } catch {
        return false // the database is not there, or not migrated, yet
      }
    }
    await until(isWaiting, 'the run to wait at its gate', 30_000)
    const ok = await adw(['approve', 'g6', '--db', 'x.db', '--as', 'carol'], {cwd: dir})
    assert.is(ok.exitCode, 0, ok.stderr)
    assert.match(ok.stdout, /adw process \d+ is waiting for this decision \(adw run --wait\) and continues the run\./)
    const r = await waitingFor('adw run --wait to finish', waiting)
    assert.is(r.exitCode, 0, String(r.stderr))
    assert.is(readFileSync(join(dir, 'built.txt'), 'utf8'), 'true|carol|')
    assert.is(status(dir), 'succeeded')
    assert.equal(stepRuns(dir), ['plan:succeeded', 'gate:succeeded', 'build:succeeded'])
  } finally {
    waiting.kill()
  }
})

test('a resume while the gate is undecided waits again; approving a run that reached no gate: exit 2', async () => {
  const dir = project()
  await adw(['run', 'p.yaml', '--adw-id', 'g7', '--db', 'x.db'], {cwd: dir})
  const again = await adw(['run', '--resume', '--adw-id', 'g7', '--db', 'x.db'], {cwd: dir})
  assert.is(again.exitCode, 0, again.stderr)
  assert.match(again.stderr, 'Run g7 is waiting for approval at step gate')
  assert.equal(rows(join(dir, 'x.db'), 'SELECT count(*) AS n FROM approvals')[0].n, 1)
})

test.run()
