// What the loader learns from a condition (src/pipeline/condition.ts): the steps/inputs it reads and
// the names that are none of them, with their ranges; toCel's conversions; every evaluation message.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {compileCondition, expressionRefs, toCel} from '../../src/pipeline/condition.js'

const pos = {file: 'p.yaml', line: 4, col: 9}
const ROOTS = ['inputs', 'steps', 'run', 'env']
const refsOf = (src: string) => expressionRefs(compileCondition(src, pos).ast, ROOTS)
const ev = (src: string, scope: object) => compileCondition(src, pos).evaluate(scope as any)
const failure = (src: string, scope: object): string => {
  try {
    ev(src, scope)
  } catch (e) {
    return (e as Error).message
  }
  throw new Error(`${src} did not throw`)
}

test('references: steps.X and inputs.X with the range of X; steps["X"] with the range of the string', () => {
  assert.equal(refsOf('steps.review.outputs.verdict == "PASS" && inputs.n > 1'), {
    refs: [{root: 'steps', key: 'review', start: 6, end: 12}, {root: 'inputs', key: 'n', start: 49, end: 50}],
    unknown: [],
  })
  assert.equal(refsOf('steps["fix-it"].outputs.ok'), {refs: [{root: 'steps', key: 'fix-it', start: 6, end: 14}], unknown: []})
  assert.equal(refsOf('run.adwId == "x" && env.CI == "1"').refs.map(r => `${r.root}.${r.key}`), ['run.adwId', 'env.CI'])
  // Only the first member after a root is a reference; a computed index is none.
  assert.equal(refsOf('steps.a.outputs.b.c == 1').refs.map(r => r.key), ['a'])
  assert.equal(refsOf('steps[inputs.which].outputs.ok').refs.map(r => `${r.root}.${r.key}`), ['inputs.which'])
  assert.equal(refsOf('{"steps": 1}.steps == 1').refs, [])
  assert.equal(refsOf('steps == "x" || inputs != "y"').refs, [], 'a comparison with a root is no reference')
})

test('unknown names are reported with their range; macro variables and cel.bind are not unknown', () => {
  assert.equal(refsOf('inputs.a + bogus.b > 0').unknown, [{name: 'bogus', start: 11, end: 16}])
  assert.equal(refsOf('foo && bar').unknown.map(u => u.name), ['foo', 'bar'])
  for (const src of [
    'steps.r.outputs.issues.exists(i, i == "x")',
    'steps.r.outputs.issues.all(i, i != "")',
    'steps.r.outputs.issues.exists_one(i, i == "x")',
    'steps.r.outputs.issues.map(i, i + "!").size() > 0',
    'steps.r.outputs.issues.filter(i, i != "").size() > 0',
    'cel.bind(x, inputs.n, x > 1)',
    'steps.r.outputs.issues.existsOne(i, i == "x")',
    'steps.r.outputs.issues.transformList(n, i, i != "").size() > 0',
    'steps.r.outputs.counts.transformMap(k, v, v > 1).size() > 0',
    'steps.r.outputs.issues.sortBy(i, i).size() > 0',
  ]) assert.equal(refsOf(src).unknown, [], src)
  assert.equal(refsOf('size(steps.r.outputs.issues) > 0 && matches(inputs.p, "x")').unknown, [])
  // Arguments of other calls are not bound: an unknown name there is still unknown.
  for (const src of ['inputs.s.contains(bogus)', 'size(bogus) > 0', 'matches(inputs.s, bogus)', 'steps[bogus].outputs.x']) {
    assert.equal(refsOf(src).unknown.map(u => u.name), ['bogus'], src)
  }
  assert.equal(refsOf('steps[bogus].outputs.x').refs, [], 'an identifier index is no step reference')
  assert.equal(refsOf('inputs.m["k"] == 1').refs.map(r => `${r.root}.${r.key}`), ['inputs.m'], 'an index on a member is no reference')
})

test('list and map literals may mix types', () => {
  assert.is(ev('size([1, "two", true]) == 3 && size({"a": 1, "b": "x"}) == 2', {}), true)
})

test('toCel: ints for whole numbers, doubles otherwise; dates, maps, bytes, nested lists; no functions or symbols', () => {
  const bytes = new Uint8Array([1, 2])
  assert.equal(toCel({
    int: 3, neg: -2, double: 2.5, huge: 2 ** 60, date: new Date(0), map: new Map<unknown, unknown>([[1, 'one'], ['k', undefined]]), bytes,
    nested: [[1, undefined], {a: () => 1, b: Symbol('s'), c: 'c'}], s: 'str', t: true, n: null,
  }), {
    int: 3n, neg: -2n, double: 2.5, huge: 2 ** 60, date: '1970-01-01T00:00:00.000Z', map: {1: 'one'}, bytes,
    nested: [[1n, null], {c: 'c'}], s: 'str', t: true, n: null,
  })
  assert.is((toCel({bytes}) as any).bytes, bytes, 'bytes are passed as they are')
  assert.is(toCel(undefined), undefined)
  assert.is(toCel(() => 1), undefined)
  assert.is(toCel(7), 7n)
  assert.is(toCel('x'), 'x')
})

test('a non-boolean result says what it gave, and how to compare a string', () => {
  const scope = {inputs: {n: 2, s: 'PASS', l: [1, 2], m: {a: 1}, f: 1.5, z: null}}
  assert.is(failure('inputs.s', scope), 'Condition `inputs.s` (p.yaml:4:9) must be true or false, but it gave a string "PASS". Compare it, e.g. `inputs.s == "PASS"`')
  assert.is(failure('inputs.n', scope), 'Condition `inputs.n` (p.yaml:4:9) must be true or false, but it gave the value 2')
  assert.is(failure('inputs.l', scope), 'Condition `inputs.l` (p.yaml:4:9) must be true or false, but it gave the value [1,2]')
  assert.is(failure('inputs.m', scope), 'Condition `inputs.m` (p.yaml:4:9) must be true or false, but it gave the value {"a":1}')
  assert.is(failure('inputs.f', scope), 'Condition `inputs.f` (p.yaml:4:9) must be true or false, but it gave the value 1.5')
  assert.is(failure('inputs.z', scope), 'Condition `inputs.z` (p.yaml:4:9) must be true or false, but it gave the value null')
  assert.is(ev('inputs.n == 2', scope), true)
  assert.is(ev('inputs.n == 3', scope), false)
})

test('evaluation errors: a missing key names the expression part and a has() guard; an unknown name too; others give the reason only', () => {
  assert.is(failure('steps.x.outputs.y', {steps: {}}), 'Condition `steps.x.outputs.y` (p.yaml:4:9) could not be evaluated: No such key: x (in steps.x). A step that was skipped or has not run has no outputs; test keys that may be missing with has(), e.g. `has(steps.x) && steps.x.outputs.y`')
  assert.is(failure('bogus == 1', {}), 'Condition `bogus == 1` (p.yaml:4:9) could not be evaluated: Unknown variable: bogus. A step that was skipped or has not run has no outputs; test keys that may be missing with has(), e.g. `has(steps.<id>.outputs.<key>) && bogus == 1`')
  const other = failure('inputs.s > 3', {inputs: {s: 'x'}})
  assert.match(other, /^Condition `inputs\.s > 3` \(p\.yaml:4:9\) could not be evaluated: /)
  assert.not.match(other, 'has(')
  assert.not.match(other, '\n')
  const e = (() => {
    try {
      ev('bogus == 1', {})
    } catch (error) {
      return error as Error
    }
  })()
  assert.ok(e?.cause, 'the CEL error is the cause')
})

test('compiled conditions keep their source and position, and evaluate again with another scope', () => {
  const c = compileCondition('inputs.n > 1', pos)
  assert.is(c.source, 'inputs.n > 1')
  assert.equal(c.pos, pos)
  assert.is(c.evaluate({inputs: {n: 2}} as any), true)
  assert.is(c.evaluate({inputs: {n: 1}} as any), false)
})

test.run()
