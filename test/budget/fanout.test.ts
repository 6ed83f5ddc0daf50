// Budgets over a fan-out, through the real CLI, the real SDK and the fake Messages API: every item's
// spend, and every retried attempt's, is summed into the run's; a run budget crossed inside the
// fan-out stops the run as budget_exceeded (exit 3) naming the step and item that crossed it.
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

/** One call of claude-sonnet-5-5 ($2 / $10 per million): 250,000 input tokens cost $0.50. */
const HALF_DOLLAR = {usage: {input_tokens: 250_000, output_tokens: 0}}

const PIPELINE = `name: fanspend
steps:
  - id: list
    uses: noop
    with: {outputs: {items: [a, b, c]}}
  - id: each
    forEach: steps.list.outputs.items
    uses: agent
    retry: {maxAttempts: 2, on: [server], backoff: {initial: 10ms}}
    with: {prompt: "Do item {{item}}", model: claude-sonnet-5-5, tools: [Read]}
`

const project = () => {
  const dir = tmpDir({'p.yaml': PIPELINE, 'a.txt': 'a\n'}, 'adw-budget-fan-')
  dirs.push(dir)
  return dir
}

test('parallel fan-out items and a retried attempt are all summed into the run\'s spend', async () => {
  const dir = project()
  // Item a spends $0.50, then its call fails (500, not retried by the SDK): the policy tries again ($0.50).
  const fake = await startFakeAnthropic(
    routeByPrompt({
      'Do item a': [reply.tool('Read', {file_path: 'a.txt'}, 'Reading.', HALF_DOLLAR), reply.error(500, {retry: false}), reply.text('a done', HALF_DOLLAR)],
      'Do item b': [reply.text('b done', HALF_DOLLAR)],
      'Do item c': [reply.text('c done', HALF_DOLLAR)],
    }),
  )
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'f1', '--db', 'x.db', '--max-usd', '5'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const db = join(dir, 'x.db')
    const steps = rows(db, "SELECT item_index, attempt, status, cost_usd FROM steps WHERE step_id = 'each' AND item_index IS NOT NULL ORDER BY item_index, attempt")
    assert.equal(steps.map(s => `${s.item_index}/${s.attempt}:${s.status}:${s.cost_usd}`), ['0/1:failed:0.5', '0/2:succeeded:0.5', '1/1:succeeded:0.5', '2/1:succeeded:0.5'])
    assert.is(rows(db, 'SELECT cost_usd FROM runs')[0].cost_usd, 2, 'three items and the failed attempt: $2.00')
    const shown = await adw(['runs', '--db', 'x.db'], {cwd: dir})
    assert.match(shown.stdout, /f1\s+fanspend\s+succeeded.*\$2\.0000/)
  } finally {
    await fake.close()
  }
})

test('a run budget crossed inside the fan-out: budget_exceeded, exit 3, the step and item named', async () => {
  const dir = project()
  const fake = await startFakeAnthropic(
    routeByPrompt({
      'Do item a': [reply.text('a done', HALF_DOLLAR)],
      'Do item b': [reply.text('b done', HALF_DOLLAR)],
      'Do item c': [reply.text('c done', HALF_DOLLAR), reply.text('c done again', HALF_DOLLAR)],
    }),
  )
  try {
    // One item at a time, so the item that crosses is the third: $1.50 of $1.20.
    const r = await adw(['run', 'p.yaml', '--adw-id', 'f2', '--db', 'x.db', '--max-usd', '1.2', '--concurrency', '1'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 3, r.stderr + r.stdout)
    assert.match(r.stderr, 'Stopped: budget exceeded at step each (item 2): the run spent $1.50 of its limit of $1.20. To go on: adw run --resume --adw-id f2 --max-usd 2.40')
    const db = join(dir, 'x.db')
    assert.equal(rows(db, 'SELECT status, error FROM runs').map(r => [r.status, r.error]), [['budget_exceeded', 'budget exceeded at step each (item 2): the run spent $1.50 of its limit of $1.20']])
    assert.equal(rows(db, "SELECT item_index, status FROM steps WHERE step_id = 'each' AND item_index IS NOT NULL ORDER BY item_index").map(s => `${s.item_index}:${s.status}`), ['0:succeeded', '1:succeeded', '2:budget_exceeded'])
    // Resumed with more: the two finished items are reused, the third runs again.
    const more = await adw(['run', '--resume', '--adw-id', 'f2', '--db', 'x.db', '--max-usd', '3'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(more.exitCode, 0, more.stderr + more.stdout)
    assert.is(fake.messageRequests().length, 4, 'only item 2 called the API again')
    assert.is(rows(db, 'SELECT cost_usd FROM runs')[0].cost_usd, 2, 'the spend before the stop counts')
  } finally {
    await fake.close()
  }
})

test.run()
