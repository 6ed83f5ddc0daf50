// forEach: the list expression compiled and type-checked at load, `item` and `index` in the step's
// own templates and conditions (and nowhere else), maxItems, and a fan-out step's outputs as a list.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {ValidationError} from '../../src/errors.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import type {ActionStep, LoopStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'
import type {StepExecutor} from '../../src/plugins/types.js'

const planner: StepExecutor = {
  name: 'planner',
  outputs: {tasks: {type: 'list'}, title: {type: 'string'}, count: {type: 'int'}},
  run: async () => ({outputs: {tasks: [], title: '', count: 0}}),
}
const registry = createRegistry([{executor: planner, source: 'test'}])
const load = (yaml: string) => loadPipelineSource(yaml, 'p.yaml', {registry})
const problems = async (yaml: string) => {
  try {
    await load(yaml)
  } catch (error) {
    return (error as ValidationError).diagnostics.map(d => `${d.line}:${d.col}: ${d.message}`)
  }
  throw new Error('expected the pipeline to be refused')
}

test('forEach over an upstream output: the expression evaluates to the list, item and index are in scope', async () => {
  const p = await load(`name: fan
steps:
  - id: plan
    uses: planner
  - id: build
    forEach: steps.plan.outputs.tasks
    maxItems: 8
    uses: noop
    if: index < 5 && item.size != "xl"
    with: {outputs: {done: "{{item.title}} #{{index}} of {{steps.plan.outputs.title}}"}}
  - id: report
    uses: noop
    if: size(steps.build.outputs) > 0 && steps.build.outputs[0].done != ""
    with: {outputs: {all: "{{#steps.build.outputs}}{{done}} {{/steps.build.outputs}}"}}
`)
  const build = p.steps[1] as ActionStep
  assert.is(build.forEach!.maxItems, 8)
  assert.is(build.forEach!.items.source, 'steps.plan.outputs.tasks')
  const tasks = [{title: 'a', size: 's'}, {title: 'b', size: 'xl'}]
  assert.equal(build.forEach!.items.evaluate({steps: {plan: {outputs: {tasks, title: 'T', count: 2}}}}), tasks)
  assert.is(build.if!.evaluate({item: tasks[0], index: 0}), true)
  assert.is(build.if!.evaluate({item: tasks[1], index: 1}), false)
  assert.is(build.if!.evaluate({item: tasks[0], index: 7}), false)
  const report = p.steps[2] as ActionStep
  assert.is(report.if!.evaluate({steps: {build: {outputs: [{done: 'x'}]}}}), true)
})

test('a YAML list, a CEL list literal and a computed list all work; maxItems defaults to 100', async () => {
  const p = await load(`name: lists
inputs:
  n: {type: number, default: 3}
steps:
  - id: lint
    forEach: [eslint, tsc, prettier]
    uses: noop
  - id: shard
    needs: []
    forEach: '[1, 2, 3].map(x, x * inputs.n)'
    uses: noop
`)
  const [lint, shard] = p.steps as ActionStep[]
  assert.equal(lint.forEach!.items.evaluate({}), ['eslint', 'tsc', 'prettier'])
  assert.is(lint.forEach!.maxItems, 100)
  assert.equal(shard.forEach!.items.evaluate({inputs: {n: 3}}), [3, 6, 9], 'CEL ints come back as numbers')
})

test('forEach that is not a list, reads a later step, or has a syntax error: load errors at their columns', async () => {
  assert.equal(
    await problems(`name: x
steps:
  - id: plan
    uses: planner
  - id: a
    forEach: steps.plan.outputs.title
    uses: noop
  - id: b
    forEach: steps.c.outputs.list
    uses: noop
  - id: c
    forEach: "[1, 2"
    uses: noop
`),
    [
      '6:14: `steps.plan.outputs.title` gives a string, but forEach needs a list, e.g. `steps.plan.outputs.json.tasks` or `["a", "b"]` (forEach of step "a")',
      '9:20: Step "b" reads steps.c, but step "c" runs later (line 11): a step can only use outputs of steps that run before it (plan, a)',
      '12:20: Invalid expression in forEach of step "c": Expected RBRACKET, got EOF',
    ],
  )
})

test('item and index outside a forEach step are load errors, with what to do; a typo of item is caught', async () => {
  assert.equal(
    await problems(`name: x
steps:
  - id: a
    uses: noop
    if: index > 0
    with: {outputs: {t: "{{item.title}}"}}
  - id: b
    forEach: [x, y]
    uses: noop
    with: {outputs: {t: "{{itme.title}}"}}
`),
    [
      '5:9: "index" in if of step "a" is only defined in a step with forEach: (the step runs once per item; item is the item, index its position). Add forEach: to the step, or read the list another way',
      '6:28: "item" in {{item.title}} (step "a") is only defined in a step with forEach: (the step runs once per item; item is the item, index its position). Add forEach: to the step, or read the list another way',
      '10:28: Unknown name "itme" in {{itme.title}} (step "b"): templates read inputs.<name>, steps.<id>.outputs.<key>, run.adwId, run.workingDir, run.costUsd and env.<NAME>, and item and index in this forEach step. Did you mean "item"?',
    ],
  )
})

test('the forEach expression itself cannot read item; maxItems without forEach; a YAML list over maxItems', async () => {
  assert.equal(
    await problems(`name: x
steps:
  - id: a
    forEach: item.list
    uses: noop
  - id: b
    maxItems: 3
    uses: noop
  - id: c
    forEach: [1, 2, 3, 4]
    maxItems: 3
    uses: noop
`),
    [
      '4:14: "item" in forEach of step "a" is only defined in a step with forEach: (the step runs once per item; item is the item, index its position). Add forEach: to the step, or read the list another way',
      '7:5: maxItems of step "b" bounds a forEach list, but the step has no forEach:. Add forEach: <list>, or remove maxItems',
      '10:14: forEach of step "c" lists 4 items, more than maxItems (3): raise maxItems (at most 1000) or split the list',
    ],
  )
})

test('a later step reading one item\'s output by name gets told the outputs are a list', async () => {
  assert.equal(
    await problems(`name: x
steps:
  - id: fan
    forEach: [a, b]
    uses: shell
    with: {run: "echo {{item}}"}
  - id: after
    uses: noop
    with: {outputs: {t: "{{steps.fan.outputs.stdout}}"}}
`),
    ['9:46: Step "fan" fans out (forEach): its outputs are a list with one entry per item ({{steps.fan.outputs.stdout}} in step "after"). Read one item\'s, e.g. steps.fan.outputs[0].stdout in a condition, or loop over the list with {{#steps.fan.outputs}}{{stdout}}{{/steps.fan.outputs}} in a template'],
  )
})

test('fan-out inside a loop body is one level of nesting and loads; forEach or retry on a loop is refused', async () => {
  const p = await load(`name: x
steps:
  - id: l
    loop: {maxAttempts: 2, until: 'size(steps.each.outputs) == 2'}
    steps:
      - id: each
        forEach: [a, b]
        uses: noop
        with: {outputs: {v: "{{item}}"}}
`)
  assert.ok((p.steps[0] as LoopStep).steps[0].forEach)
  assert.equal(
    await problems(`name: x
steps:
  - id: l
    forEach: [a, b]
    retry: 3
    loop: {maxAttempts: 2, until: "true"}
    steps:
      - id: each
        uses: noop
`),
    [
      '4:5: forEach goes on an action step, not on a loop: put forEach: on a step inside loop "l" (loops and fan-out nest one level at most)',
      '5:5: retry goes on an action step, not on a loop: put retry: on the steps inside loop "l"',
    ],
  )
})

test.run()
