// forEach through the real CLI: one recorded step run per item, item and index in scope, outputs
// collected in item order, maxItems, and a per-item `if`; agent items against the fake Messages API.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {rows, runYaml} from './engine.helpers.js'

const PLAN_SCHEMA = `      schema:
        type: object
        required: [tasks]
        properties:
          tasks:
            type: array
            items: {type: object, required: [title], properties: {title: {type: string}}}`

test("fan-out over a plan's task list (JSON output of an agent): one agent run per task, outputs in task order", async () => {
  const tasks = [{title: 'parse input'}, {title: 'write output'}, {title: 'add tests'}]
  const route = routeByPrompt({
    'Plan as tasks': [reply.json({tasks})],
    'Do task 0: parse input': [reply.text('parsed')],
    'Do task 1: write output': [reply.text('written')],
    'Do task 2: add tests': [reply.text('tested')],
  })
  const fake = await startFakeAnthropic(route)
  try {
    const r = await runYaml(
      `name: fan
steps:
  - id: plan
    uses: agent
    with:
      prompt: Plan as tasks
      output: json
${PLAN_SCHEMA}
  - id: build
    forEach: steps.plan.outputs.tasks
    uses: agent
    with:
      prompt: "Do task {{index}}: {{item.title}}"
  - id: report
    uses: shell
    with:
      run: echo "{{#steps.build.outputs}}{{text}};{{/steps.build.outputs}}" > report.txt
`,
      ['--adw-id', 'fan-1'],
      {},
      {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url},
    )
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(route.left(), {})
    assert.is(readFileSync(join(r.dir, 'report.txt'), 'utf8').trim(), 'parsed;written;tested;', 'outputs in item order')
    const items = rows(r.db, "SELECT item_index, status FROM steps WHERE step_id = 'build' ORDER BY item_index")
    assert.equal(items.map(x => `${x.item_index}:${x.status}`), ['0:succeeded', '1:succeeded', '2:succeeded'])
    assert.is(rows(r.db, "SELECT item_index FROM steps WHERE step_id = 'plan'")[0].item_index, null)
  } finally {
    await fake.close()
  }
})

const SHELL_FAN = (forEach: string, extra = '') => `name: fan
steps:
  - id: each
    forEach: ${forEach}
${extra}    uses: shell
    with:
      run: echo "{{index}}={{item}}"
  - id: after
    uses: shell
    with:
      run: echo "{{#steps.each.outputs}}{{stdout}},{{/steps.each.outputs}}" > after.txt
`

test('a list longer than maxItems (known at run time) fails the step with a clear message; what follows is skipped', async () => {
  const list = `  - id: list
    uses: noop
    with: {outputs: {xs: [a, b, c]}}
`
  const r = await runYaml(SHELL_FAN('steps.list.outputs.xs', '    maxItems: 2\n').replace('steps:\n', `steps:\n${list}`))
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const [run] = rows(r.db, 'SELECT error FROM runs')
  assert.match(run.error, /^forEach of step each \(.*p\.yaml:7:\d+\) gave 3 items, more than its maxItems of 2: raise forEach\.maxItems, or shorten the list/)
  assert.equal(rows(r.db, 'SELECT step_id, status FROM steps ORDER BY id').map(x => `${x.step_id}:${x.status}`), ['list:succeeded', 'after:skipped'])
})

test("a fan-out step's if is decided per item (item and index in scope); skipped items are recorded", async () => {
  const r = await runYaml(SHELL_FAN('["a", "b", "c"]', '    if: item != "b"\n'))
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const items = rows(r.db, "SELECT item_index, status, reason FROM steps WHERE step_id = 'each' ORDER BY item_index")
  assert.equal(items.map(x => `${x.item_index}:${x.status}`), ['0:succeeded', '1:skipped', '2:succeeded'])
  assert.is(items[1].reason, 'if: item != "b" was false')
  assert.is(readFileSync(join(r.dir, 'after.txt'), 'utf8').trim(), '0=a,,2=c,')
})

test('a failed item fails the step after the others finish; continueOnError keeps the run going', async () => {
  const yaml = `name: fan
steps:
  - id: each
    forEach: [1, 2, 3]
CONT    uses: shell
    with:
      run: test {{item}} -ne 2
`
  const failed = await runYaml(yaml.replace('CONT', ''))
  assert.is(failed.exitCode, 1, failed.stderr + failed.stdout)
  assert.equal(rows(failed.db, 'SELECT item_index, status FROM steps ORDER BY item_index').map(x => `${x.item_index}:${x.status}`), ['0:succeeded', '1:failed', '2:succeeded'])
  assert.match(rows(failed.db, 'SELECT error FROM runs')[0].error, /^step each \(item 1\) failed: command exited with code 1/)
  const tolerated = await runYaml(yaml.replace('CONT', '    continueOnError: true\n'))
  assert.is(tolerated.exitCode, 0, tolerated.stderr + tolerated.stdout)
})

test.run()
