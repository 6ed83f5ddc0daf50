import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ValidationError} from '../../src/errors.js'
import {loadPipeline, loadPipelineSource} from '../../src/pipeline/load.js'
import type {ActionStep, LoopStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'
import type {StepExecutor} from '../../src/plugins/types.js'
import {rmDir, tmpDir} from '../helpers/cli.js'

/** A test executor with a strict options schema. */
const review: StepExecutor = {
  name: 'review',
  schema: {type: 'object', additionalProperties: false, required: ['output'], properties: {output: {enum: ['text', 'json']}, prompt: {type: 'string'}, max: {type: 'integer'}}},
  run: async () => ({outputs: {verdict: 'PASS'}}),
}
const registry = createRegistry([{executor: review, source: 'test'}])

const SOURCE = `name: demo
inputs:
  prompt: {type: string, required: true}
  format: {default: json}
  max: {type: number, default: 3}
steps:
  - id: plan
    uses: shell
    with: {run: "echo {{inputs.prompt}}"}
    timeout: 1h30m
  - id: check
    uses: review
    if: steps.plan.outputs.exitCode == 0
    continueOnError: true
    with: {output: "{{inputs.format}}", max: "{{inputs.max}}", prompt: "{{steps.plan.outputs.stdout}}"}
  - id: fix_loop
    name: Fix until green
    loop: {maxAttempts: 3, until: 'steps.recheck.outputs.verdict == "PASS" && steps.plan.outputs.exitCode == 0'}
    steps:
      - id: fix
        uses: noop
        with: {outputs: {p: "{{steps.check.outputs.verdict}}"}}
      - id: recheck
        uses: review
        if: has(steps.fix.outputs.p)
        with: {output: json}
        timeout: 500ms
`

test('builds the model the engine runs', async () => {
  const dir = tmpDir({'p/demo.yaml': SOURCE})
  try {
    const p = await loadPipeline(join(dir, 'p/demo.yaml'), {registry})
    assert.is(p.name, 'demo')
    assert.is(p.file, join(dir, 'p/demo.yaml'))
    assert.is(p.source, SOURCE)
    assert.equal(p.inputs, {prompt: {type: 'string', required: true}, format: {type: 'string', default: 'json'}, max: {type: 'number', default: 3}})
    const [plan, check, loop] = p.steps as [ActionStep, ActionStep, LoopStep]
    assert.is(plan.kind, 'action')
    assert.is(plan.executor.name, 'shell')
    assert.is(plan.timeoutMs, 5_400_000)
    assert.is(plan.continueOnError, false)
    assert.equal(plan.with, {run: 'echo {{inputs.prompt}}'})
    assert.equal(plan.pos, {file: join(dir, 'p/demo.yaml'), line: 7, col: 5})
    assert.is(check.executor, review)
    assert.is(check.continueOnError, true)
    assert.is(check.timeoutMs, undefined)
    assert.equal(check.if!.pos, {file: join(dir, 'p/demo.yaml'), line: 13, col: 9})
    assert.is(check.if!.evaluate({steps: {plan: {outputs: {exitCode: 0}}}}), true)
    assert.is(check.if!.evaluate({steps: {plan: {outputs: {exitCode: 1}}}}), false)
    assert.is(loop.kind, 'loop')
    assert.is(loop.name, 'Fix until green')
    assert.is(loop.maxAttempts, 3)
    assert.is(loop.onExhausted, 'fail')
    assert.equal(loop.steps.map(s => s.id), ['fix', 'recheck'])
    assert.is(loop.steps[1].timeoutMs, 500)
    assert.is(loop.until.evaluate({steps: {plan: {outputs: {exitCode: 0}}, recheck: {outputs: {verdict: 'PASS'}}}}), true)
  } finally {
    rmDir(dir)
  }
})

test('loadPipelineSource reports with the name it is given', async () => {
  const bad = SOURCE.replace('output: json}', 'output: yaml}')
  try {
    await loadPipelineSource(bad, 'stored/demo.yaml', {registry})
    assert.unreachable()
  } catch (error) {
    assert.instance(error, ValidationError)
    const [d] = (error as ValidationError).diagnostics
    assert.equal({file: d.file, line: d.line, col: d.col}, {file: 'stored/demo.yaml', line: 26, col: 24})
    assert.match(d.message, 'option "output" of review in step "recheck" must be one of "text", "json", got "yaml"')
    assert.is(d.sourceLine, '        with: {output: yaml}')
  }
})

test('templated strings are not type-checked against the executor schema until rendered', async () => {
  const p = await loadPipelineSource(SOURCE, 'x.yaml', {registry})
  assert.equal((p.steps[1] as ActionStep).with.max, '{{inputs.max}}')
})

test('if: true/false is accepted as a constant condition', async () => {
  const p = await loadPipelineSource('name: x\nsteps:\n  - id: a\n    uses: noop\n    if: false\n', 'x.yaml', {registry})
  assert.is(p.steps[0].if!.evaluate({}), false)
})

test('a missing file is PIPELINE_NOT_FOUND, exit 2', async () => {
  try {
    await loadPipeline('no/such.yaml', {registry})
    assert.unreachable()
  } catch (error: any) {
    assert.is(error.code, 'PIPELINE_NOT_FOUND')
    assert.is(error.exitCode, 2)
    assert.match(error.message, 'Pipeline file no/such.yaml not found')
  }
})

test('a loop body may read earlier body steps and steps before the loop, not later ones', async () => {
  const src = `name: x
steps:
  - id: a
    uses: noop
  - id: l
    if: has(steps.a.outputs.x)
    loop: {maxAttempts: 2, until: "has(steps.c.outputs.done)"}
    steps:
      - id: b
        uses: noop
        with: {outputs: {x: "{{steps.a.outputs.x}} {{steps.c.outputs.y}}"}}
      - id: c
        uses: noop
        if: has(steps.b.outputs.x) && !has(steps.l.outputs)
`
  try {
    await loadPipelineSource(src, 'x.yaml', {registry})
    assert.unreachable()
  } catch (error) {
    const ds = (error as ValidationError).diagnostics
    assert.equal(ds.map(d => `${d.line}:${d.col}`), ['11:54', '14:50'])
    assert.match(ds[0].message, 'Step "b" reads {{steps.c.outputs.y}}, but step "c" runs later')
    assert.match(ds[1].message, 'Step "c" reads steps.l, but step "l" runs later')
  }
})

test.run()
