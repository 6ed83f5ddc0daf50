// always(), failure(), success() and cancelled() in conditions: what they give for each job status,
// the statusCheck the loader records, and the load-time checks.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {ValidationError} from '../../src/errors.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import type {ActionStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'

const registry = createRegistry([])
const load = (yaml: string) => loadPipelineSource(yaml, 'p.yaml', {registry})
const problems = async (yaml: string) => {
  try {
    await load(yaml)
  } catch (error) {
    return (error as ValidationError).diagnostics.map(d => `${d.line}:${d.col}: ${d.message}`)
  }
  throw new Error('expected the pipeline to be refused')
}

const withIf = (expr: string) => `name: x
steps:
  - id: build
    uses: noop
    with: {outputs: {ok: true}}
  - id: after
    uses: noop
    if: '${expr}'
`

test('each status function against each job status (success when the scope has none)', async () => {
  const rows: Record<string, boolean[]> = {}
  for (const fn of ['always()', 'success()', 'failure()', 'cancelled()']) {
    const cond = ((await load(withIf(fn))).steps[1] as ActionStep).if!
    rows[fn] = [cond.evaluate({job: {status: 'success'}}), cond.evaluate({job: {status: 'failure'}}), cond.evaluate({job: {status: 'cancelled'}}), cond.evaluate({})]
  }
  assert.equal(rows, {
    'always()': [true, true, true, true],
    'success()': [true, false, false, true],
    'failure()': [false, true, false, false],
    'cancelled()': [false, false, true, false],
  })
})

test('statusCheck says which function the condition calls; none for a plain condition', async () => {
  const check = async (expr: string) => ((await load(withIf(expr))).steps[1] as ActionStep).if!.statusCheck
  assert.is(await check('failure()'), 'failure')
  assert.is(await check('always() && steps.build.outputs.ok'), 'always')
  assert.is(await check('failure() || cancelled()'), 'failure')
  assert.is(await check('cancelled()'), 'cancelled')
  assert.is(await check('success() && has(steps.build.outputs.ok)'), 'success')
  assert.is(await check('has(steps.build.outputs.ok)'), undefined)
})

test('status functions combine with outputs: failure() && a step output', async () => {
  const cond = ((await load(withIf('failure() && has(steps.build.outputs.ok)'))).steps[1] as ActionStep).if!
  assert.is(cond.evaluate({job: {status: 'failure'}, steps: {build: {outputs: {ok: true}}}}), true)
  assert.is(cond.evaluate({job: {status: 'failure'}, steps: {build: {outputs: {}}}}), false)
  assert.is(cond.evaluate({job: {status: 'success'}, steps: {build: {outputs: {ok: true}}}}), false)
})

test('a status function called with an argument, or a misspelt one, is a load error at its column', async () => {
  assert.equal(await problems(withIf('failure(1)')), ["8:10: failure() takes no arguments in `failure(1)`: it reads the outcome of the step's upstream steps, e.g. if: failure() (if of step \"after\")"])
  assert.equal(await problems(withIf('steps.build.outputs.ok && falure()')), ['8:36: Unknown function "falure()" in `steps.build.outputs.ok && falure()`. Did you mean "failure()"? The status functions are always(), success(), failure() and cancelled() (if of step "after")'])
})

test('a status does not leak into the next evaluation, not even after one that threw', async () => {
  const cond = ((await load(withIf('failure()'))).steps[1] as ActionStep).if!
  const throws = ((await load(withIf('failure() && steps.build.outputs.ok'))).steps[1] as ActionStep).if!
  assert.is(cond.evaluate({job: {status: 'failure'}}), true)
  assert.is(cond.evaluate({}), false)
  assert.throws(() => throws.evaluate({job: {status: 'failure'}, steps: {build: {outputs: {}}}}), /No such key: ok/)
  assert.is(cond.evaluate({}), false)
})

test.run()
