// Budgets during a run, through the real CLI, the real SDK and the fake Messages API: a USD limit
// stops an agent between calls (status budget_exceeded, exit 3, the step and spend vs limit named),
// loop iterations sum into the loop's budget, a token limit, an unknown model decided at run time,
// and resume with a higher limit going on from the recorded spend.
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {startFakeAnthropic, reply} from '../helpers/fake-anthropic.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

/** One call of claude-sonnet-5-5 ($2 / $10 per million): 250,000 input tokens cost $0.50. */
const HALF_DOLLAR = {usage: {input_tokens: 250_000, output_tokens: 0}}

const project = (yaml: string, extra: Record<string, string> = {}) => {
  const dir = tmpDir({'p.yaml': yaml, 'a.txt': 'a\n', ...extra}, 'adw-budget-run-')
  dirs.push(dir)
  return dir
}

const AGENT = (id: string, prompt: string, extra = '') => `  - id: ${id}
    uses: agent
    with: {prompt: "${prompt}", model: claude-sonnet-5-5, tools: [Read]}${extra}
`

test('--max-usd stops the agent between calls: budget_exceeded, exit 3, the next step never runs; resume with a higher limit finishes', async () => {
  const dir = project(`name: spend\nsteps:\n${AGENT('build', 'Build it')}  - id: after\n    uses: shell\n    with: {run: echo after >> after.txt}\n`)
  const fake = await startFakeAnthropic([
    reply.tool('Read', {file_path: 'a.txt'}, 'Reading.', HALF_DOLLAR),
    reply.tool('Read', {file_path: 'a.txt'}, 'Again.', HALF_DOLLAR),
    reply.text('Built.', HALF_DOLLAR),
  ])
  try {
    const env = {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
    const r = await adw(['run', 'p.yaml', '--adw-id', 'b1', '--db', 'x.db', '--max-usd', '0.9'], {cwd: dir, env})
    assert.is(r.exitCode, 3, r.stderr + r.stdout)
    assert.is(fake.messageRequests().length, 2, 'the third call is never made')
    assert.match(r.stderr, 'Stopped: budget exceeded at step build: the run spent $1.00 of its limit of $0.9000. To go on: adw run --resume --adw-id b1 --max-usd 1.80')
    const db = join(dir, 'x.db')
    assert.equal(rows(db, "SELECT status, error FROM runs").map(r => [r.status, r.error]), [['budget_exceeded', 'budget exceeded at step build: the run spent $1.00 of its limit of $0.9000']])
    assert.equal(rows(db, 'SELECT step_id, status, cost_usd FROM steps ORDER BY id').map(r => [r.step_id, r.status, r.cost_usd]), [['build', 'budget_exceeded', 1]])
    assert.equal(rows(db, 'SELECT budget FROM runs')[0].budget, '{"usd":0.9}')
    // Resuming with the same limit stops at once: the spend recorded counts.
    const same = await adw(['run', '--resume', '--adw-id', 'b1', '--db', 'x.db'], {cwd: dir, env})
    assert.is(same.exitCode, 3, same.stderr)
    assert.is(fake.messageRequests().length, 2)
    // A higher limit: the step runs again and the run finishes.
    const more = await adw(['run', '--resume', '--adw-id', 'b1', '--db', 'x.db', '--max-usd', '5'], {cwd: dir, env})
    assert.is(more.exitCode, 0, more.stderr + more.stdout)
    assert.is(fake.messageRequests().length, 3)
    assert.equal(rows(db, 'SELECT status, budget, cost_usd FROM runs').map(r => [r.status, r.budget, r.cost_usd]), [['succeeded', '{"usd":5}', 1.5]])
    assert.ok(rows(db, "SELECT count(*) AS n FROM steps WHERE step_id = 'after' AND status = 'succeeded'")[0].n === 1)
  } finally {
    await fake.close()
  }
})

test('a loop budget sums its iterations; the step that crossed it is named, with a json run:end event', async () => {
  const yaml = `name: loopspend
steps:
  - id: fix_loop
    loop: {maxAttempts: 5, until: "false", onExhausted: continue}
    budget: {usd: 1.2}
    steps:
${AGENT('fix', 'Fix it').replace(/^/gm, '    ')}`
  const dir = project(yaml)
  const fake = await startFakeAnthropic([reply.text('one', HALF_DOLLAR), reply.text('two', HALF_DOLLAR), reply.text('three', HALF_DOLLAR), reply.text('four', HALF_DOLLAR)])
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'l1', '--db', 'x.db', '--json'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 3, r.stderr)
    assert.is(fake.messageRequests().length, 3, 'iterations 1-3 each made one call; the third reached $1.50 of $1.20')
    const end = r.stdout.split('\n').map(l => JSON.parse(l)).find(e => e.type === 'run:end')
    assert.equal([end.status, end.crossing.step, end.crossing.kind, end.crossing.limit], ['budget_exceeded', 'fix_loop', 'usd', 1.2])
    assert.is(Number(end.crossing.spent.toFixed(4)), 1.5)
    const db = join(dir, 'x.db')
    assert.equal(rows(db, 'SELECT iteration, status FROM steps ORDER BY id').map(r => `${r.iteration}:${r.status}`), ['1:succeeded', '2:succeeded', '3:budget_exceeded'])
  } finally {
    await fake.close()
  }
})

test('a token budget on a step; usage with a model priced only in the config is counted', async () => {
  const dir = project(`name: tok\nbudget: {usd: 10}\nsteps:\n${AGENT('plan', 'Plan it', '\n    budget: {tokens: 1500}').replace('claude-sonnet-5-5', 'local-llm')}`, {'adw.config.yaml': 'prices:\n  local-llm: {input: 1, output: 1}\n'})
  const fake = await startFakeAnthropic([reply.tool('Read', {file_path: 'a.txt'}, undefined, {usage: {input_tokens: 1000, output_tokens: 0}}), reply.tool('Read', {file_path: 'a.txt'}, undefined, {usage: {input_tokens: 1000, output_tokens: 0}}), reply.text('never')])
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 't1', '--db', 'x.db'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 3, r.stderr + r.stdout)
    assert.match(r.stderr, 'step plan spent 2,000 tokens of its 1,500 tokens budget')
    assert.is(fake.messageRequests().length, 2)
    assert.equal(rows(join(dir, 'x.db'), 'SELECT cost_usd FROM runs')[0].cost_usd, 0.002)
  } finally {
    await fake.close()
  }
})

test('a model decided at run time with no price is stopped under a USD budget before it is counted as $0', async () => {
  const yaml = `name: late
budget: {usd: 1}
steps:
  - id: pick
    uses: shell
    with: {run: echo gpt-9}
  - id: plan
    uses: agent
    with: {prompt: "Plan it", model: "{{steps.pick.outputs.stdout}}"}
`
  const dir = project(yaml)
  const fake = await startFakeAnthropic([reply.text('planned'), reply.text('never')])
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'u1', '--db', 'x.db'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 3, r.stderr + r.stdout)
    assert.match(r.stderr, 'used model gpt-9, which has no known price, under a USD budget of $1.00')
    assert.is(fake.messageRequests().length, 1)
  } finally {
    await fake.close()
  }
})

test('--max-minutes stops a step that runs past the time left; the time is recorded for a resume', async () => {
  const dir = project(`name: slow\nsteps:\n  - id: wait\n    uses: noop\n    with: {sleepMs: 20000}\n`)
  const started = Date.now()
  const r = await adw(['run', 'p.yaml', '--adw-id', 'm1', '--db', 'x.db', '--max-minutes', '0.02'], {cwd: dir})
  assert.is(r.exitCode, 3, r.stderr + r.stdout)
  assert.ok(Date.now() - started < 15_000, 'stopped long before the step would have ended')
  assert.match(r.stderr, /budget exceeded at step wait: the run spent 1\.\d s of its limit of 1\.2 s/)
  const run = rows(join(dir, 'x.db'), 'SELECT status, active_ms FROM runs')[0]
  assert.is(run.status, 'budget_exceeded')
  assert.ok(run.active_ms >= 1200, `active time recorded: ${run.active_ms}`)
})

test('--max-usd that is not a positive number: exit 2, nothing written', async () => {
  const dir = project(`name: x\nsteps:\n  - id: a\n    uses: noop\n`)
  for (const bad of ['0', '-1', 'lots']) {
    const r = await adw(['run', 'p.yaml', '--db', 'x.db', '--max-usd', bad], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, `--max-usd must be a number above 0, got "${bad}"`)
  }
  const t = await adw(['run', 'p.yaml', '--db', 'x.db', '--max-tokens', '1.5'], {cwd: dir})
  assert.match(t.stderr, '--max-tokens must be a whole number above 0')
})

test.run()
