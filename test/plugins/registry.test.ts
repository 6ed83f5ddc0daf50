import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {defineExecutor, EXECUTOR_API_VERSION} from '../../src/index.js'
import {describeExecutors, describeOptions} from '../../src/plugins/describe.js'
import {executorProblem} from '../../src/plugins/check.js'
import {createRegistry} from '../../src/plugins/registry.js'

// The registry and its helpers in-process; the CLI paths are in registry-*.test.ts and external-*.test.ts.
const ex = (name: string) => defineExecutor({name, async run() {}})

test('createRegistry: built-ins, extra executors, qualified names, ambiguity', async () => {
  const r = createRegistry([{executor: ex('lint'), source: 'p1'}, {executor: ex('lint'), source: 'p2'}, {executor: ex('noop'), source: 'p2'}])
  assert.is(EXECUTOR_API_VERSION, 1)
  assert.is((await r.resolve('shell', '/'))?.name, 'shell')
  assert.is(await r.resolve('nothing', '/'), undefined)
  assert.is(await r.resolve('p1/lint', '/'), r.list().find(e => e.source === 'p1')!.executor)
  assert.is(await r.resolve('adw/noop', '/'), r.list().find(e => e.source === 'built-in' && e.executor.name === 'noop')!.executor)
  try {
    await r.resolve('lint', '/')
    assert.unreachable()
  } catch (error) {
    assert.is((error as Error).message, '"lint" is ambiguous: it is provided by p1 and p2. Choose one with a qualified name: uses: p1/lint or uses: p2/lint')
  }
  const err = await r.resolve('p3/lint', '/').catch((error: Error) => error)
  assert.match(String((err as Error).message), 'no installed plugin "p3" provides executors (those that do: p1, p2); "lint" alone is p1/lint, p2/lint')
  assert.equal(r.names().filter(n => n === 'lint' || n === 'noop'), ['noop', 'lint'])
  assert.equal(describeExecutors(r).find(e => e.source === 'p2' && e.name === 'noop')?.conflictsWith, ['built-in'])
})

test('executorProblem: the contract v1 shape, schema compiled at load', () => {
  assert.is(executorProblem(ex('ok')), undefined)
  assert.is(executorProblem(null), 'is not an executor object {name, run(options, ctx)}, got null')
  assert.is(executorProblem({name: '', run() {}}), 'has no name: "name" must be a non-empty string, got string ""')
  assert.is(executorProblem({name: 'a/b', run() {}}), '"a/b" is not a valid name: it must not contain "/" or start with "." (those mean a qualified name or a local module)')
  assert.is(executorProblem({name: 'x', run() {}, description: 3}), '"x": "description" must be a string, got number 3')
  assert.is(executorProblem({name: 'x', run() {}, version: 2}), '"x": "version" must be a string, got number 2')
  assert.is(executorProblem({name: 'x', run() {}, version: '2.1.0'}), undefined)
  assert.match(executorProblem({name: 'x', run() {}, schema: {type: 'object', properties: {a: {minimum: 'one'}}}})!, /^"x" has an invalid options schema: schema is invalid/)
})

test('describeOptions: types, unions, enums, arrays, required, defaults', () => {
  assert.equal(describeOptions({
    type: 'object',
    required: ['a'],
    properties: {
      a: {type: 'string', description: 'A'},
      b: {type: ['string', 'number']},
      c: {enum: ['x', 'y'], default: 'x'},
      d: {type: 'array', items: {type: 'string'}},
      e: {},
      f: {anyOf: [{type: 'string'}, {type: 'boolean'}]},
    },
  }), [
    {name: 'a', type: 'string', required: true, description: 'A'},
    {name: 'b', type: 'string|number', required: false},
    {name: 'c', type: '"x"|"y"', required: false, default: 'x'},
    {name: 'd', type: 'string[]', required: false},
    {name: 'e', type: 'any', required: false},
    {name: 'f', type: 'string|boolean', required: false},
  ])
  assert.equal(describeOptions(undefined), [])
})

test.run()
