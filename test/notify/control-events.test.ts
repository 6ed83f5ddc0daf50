// run.waiting and budget.exceeded from real runs, through the real CLI, to the local webhook
// receiver: a pipeline with an approval gate (stopping to wait, and blocking under --wait while the
// notification goes out), and an agent run that crosses its USD budget (the fake Messages API).
import {execa} from 'execa'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until, waitingFor} from '../helpers/deadline.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {startWebhookReceiver} from '../helpers/webhook-receiver.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const GATED = `name: gated
steps:
  - id: plan
    uses: noop
    with: {outputs: {summary: add a login page}}
  - id: gate
    uses: approval
    with: {message: "Approve: {{steps.plan.outputs.summary}}?"}
  - id: build
    uses: shell
    with: {run: echo built}
`

const config = (events: string) => ['notify:', `  - on: [${events}]`, '    webhook:', '      url: "${HOOK}/hook"'].join('\n')

const project = (files: Record<string, string>) => {
  const dir = tmpDir(files, 'adw-notify-real-')
  dirs.push(dir)
  return dir
}

test('a run that stops at an approval gate: run.waiting with the gate, its message and the commands; approving it sends run.succeeded', async () => {
  const hook = await startWebhookReceiver()
  const dir = project({'p.yaml': GATED, 'adw.config.yaml': config('run.waiting, run.succeeded')})
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'nw1', '--db', 'x.db'], {cwd: dir, env: {HOOK: hook.url}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(hook.received().map(g => g.json.event), ['run.waiting'])
    const [waiting] = hook.received()
    assert.is(waiting.headers['x-adw-event'], 'run.waiting')
    assert.is(waiting.json.run.status, 'waiting')
    assert.equal(waiting.json.approval, {step: 'gate', message: 'Approve: add a login page?', commands: ['adw approve nw1 --comment "..."', 'adw reject nw1 --reason "..."']})
    assert.match(waiting.json.text, ':hourglass_flowing_sand: adw run *nw1* (gated) is waiting for approval after ')
    assert.match(waiting.json.text, ': step gate: Approve: add a login page? — adw approve nw1 --comment "..." or adw reject nw1 --reason "..."')
    const ok = await adw(['approve', 'nw1', '--db', 'x.db', '--as', 'erin'], {cwd: dir, env: {HOOK: hook.url}})
    assert.is(ok.exitCode, 0, ok.stderr + ok.stdout)
    assert.equal(hook.received().map(g => g.json.event), ['run.waiting', 'run.succeeded'])
    const logs = rows(join(dir, 'x.db'), "SELECT log_level, message FROM agent_logs WHERE agent_name = 'notify' ORDER BY id")
    assert.is(logs.length, 2)
    assert.ok(logs.every(l => l.log_level === 'INFO'), JSON.stringify(logs))
  } finally {
    await hook.close()
  }
})

test('adw run --wait: run.waiting goes out while the process blocks at the gate; the decision from another process ends it', async () => {
  const hook = await startWebhookReceiver()
  const dir = project({'p.yaml': GATED, 'adw.config.yaml': config('run.waiting, run.succeeded')})
  const blocked = execa(ADW, ['run', 'p.yaml', '--adw-id', 'nw2', '--db', 'x.db', '--wait'], {cwd: dir, env: {...isolatedEnv(), HOOK: hook.url}, reject: false, timeout: 60_000})
  try {
    await until(() => hook.received().length > 0, 'the run.waiting notification', 30_000)
    assert.is(blocked.exitCode, undefined, 'the run still waits')
    const [waiting] = hook.received()
    assert.is(waiting.json.event, 'run.waiting')
    assert.is(waiting.json.approval.step, 'gate')
    const ok = await adw(['approve', 'nw2', '--db', 'x.db'], {cwd: dir})
    assert.is(ok.exitCode, 0, ok.stderr)
    const r = await waitingFor('adw run --wait to finish', blocked)
    assert.is(r.exitCode, 0, String(r.stderr))
    assert.equal(hook.received().map(g => g.json.event), ['run.waiting', 'run.succeeded'], 'one run.waiting, then the end')
  } finally {
    blocked.kill()
    await hook.close()
  }
})

test('a run that crosses its budget: budget.exceeded with the step that crossed it, spend and limit', async () => {
  const hook = await startWebhookReceiver()
  const yaml = `name: spend
steps:
  - id: build
    uses: agent
    with: {prompt: "Build it", model: claude-sonnet-5-5, tools: [Read]}
`
  const dir = project({'p.yaml': yaml, 'a.txt': 'a\n', 'adw.config.yaml': config('budget.exceeded, run.failed')})
  const half = {usage: {input_tokens: 250_000, output_tokens: 0}}
  const fake = await startFakeAnthropic([reply.tool('Read', {file_path: 'a.txt'}, 'Reading.', half), reply.tool('Read', {file_path: 'a.txt'}, 'Again.', half), reply.text('never')])
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'nb1', '--db', 'x.db', '--max-usd', '0.9'], {cwd: dir, env: {HOOK: hook.url, ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 3, r.stderr + r.stdout)
    assert.equal(hook.received().map(g => g.json.event), ['budget.exceeded'], 'budget.exceeded, not run.failed')
    const [got] = hook.received()
    assert.is(got.json.run.status, 'budget_exceeded')
    assert.is(got.json.run.error, 'budget exceeded at step build: the run spent $1.00 of its limit of $0.9000')
    assert.equal(got.json.budget, {kind: 'usd', spent: 1, limit: 0.9})
    assert.is(got.json.step.id, 'build')
    assert.is(got.json.cost.usd, 1)
    assert.match(got.json.text, ':money_with_wings: adw run *nb1* (spend) stopped at its budget after ')
    assert.match(got.json.text, ': budget exceeded at step build: the run spent $1.00 of its limit of $0.9000 · $1.00')
  } finally {
    await fake.close()
    await hook.close()
  }
})

test.run()
