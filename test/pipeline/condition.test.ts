import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {compileCondition, toCel} from '../../src/pipeline/condition.js'

const pos = {file: 'pipelines/x.yaml', line: 7, col: 9}
const scope = {
  inputs: {prompt: 'add login', retries: 2, threshold: 0.75, strict: true},
  steps: {
    t: {outputs: {exitCode: 0, stdout: 'ok\n', count: '3', score: 1.5, big: 12, nil: null, list: [1, 'two', {k: 3}], nested: {a: {b: [true]}}}},
    review: {outputs: {verdict: 'FAIL', issues: ['x']}},
  },
  run: {adwId: 'feat-42', workingDir: '/tmp/w'},
  env: {CI: 'true'},
}
const ev = (src: string) => compileCondition(src, pos).evaluate(scope)

test('numbers from outputs compare naturally', () => {
  assert.is(ev('steps.t.outputs.exitCode == 0'), true)
  assert.is(ev('steps.t.outputs.exitCode != 0'), false)
  assert.is(ev('steps.t.outputs.exitCode == 0.0'), true)
  assert.is(ev('steps.t.outputs.score > 1.2'), true)
  assert.is(ev('steps.t.outputs.score < 1'), false)
  assert.is(ev('steps.t.outputs.big > 1.5'), true)
  assert.is(ev('inputs.retries + 1 == 3'), true)
  assert.is(ev('inputs.threshold >= 0.5 && inputs.threshold < 1'), true)
})

test('strings, booleans, null, lists and maps', () => {
  assert.is(ev('steps.review.outputs.verdict != "PASS"'), true)
  assert.is(ev('steps.t.outputs.count == "3"'), true)
  assert.is(ev('steps.t.outputs.count == 3'), false) // CEL: a string never equals an int
  assert.is(ev('int(steps.t.outputs.count) == 3'), true)
  assert.is(ev('inputs.strict'), true)
  assert.is(ev('steps.t.outputs.nil == null'), true)
  assert.is(ev('steps.t.outputs.list.size() == 3 && steps.t.outputs.list[2].k == 3'), true)
  assert.is(ev('steps.t.outputs.nested.a.b[0]'), true)
  assert.is(ev('steps.review.outputs.issues.exists(i, i == "x")'), true)
  assert.is(ev('"ok" in steps.t.outputs.stdout.split("\\n")'), true)
  assert.is(ev('steps.t.outputs.stdout.contains("ok") && run.adwId.startsWith("feat") && env.CI == "true"'), true)
  assert.is(ev('inputs.prompt.matches("log+in")'), true)
})

test('has() tests optional keys', () => {
  assert.is(ev('has(steps.t.outputs.missing)'), false)
  assert.is(ev('has(steps.t.outputs.exitCode)'), true)
  assert.is(ev('has(steps.skipped) && steps.skipped.outputs.x == 1'), false)
})

test('a missing key says which expression, where, what was missing, and suggests has()', () => {
  assert.throws(() => ev('steps.t.outputs.verdict == "PASS"'), (e: Error) => {
    assert.match(e.message, 'Condition `steps.t.outputs.verdict == "PASS"` (pipelines/x.yaml:7:9)')
    assert.match(e.message, 'No such key: verdict')
    assert.match(e.message, 'steps.t.outputs.verdict')
    assert.match(e.message, 'has(steps.t.outputs.verdict)')
    return true
  })
  assert.throws(() => ev('steps.fix.outputs.ok'), /No such key: fix.*has\(steps\.fix/s)
})

test('a non-boolean result is an error', () => {
  assert.throws(() => ev('steps.review.outputs.verdict'), /must be true or false, but it gave a string "FAIL"/)
  assert.throws(() => ev('steps.t.outputs.exitCode'), /pipelines\/x\.yaml:7:9.*must be true or false.*0/)
})

test('toCel: whole numbers become ints, undefined keys vanish, no functions', () => {
  assert.equal(toCel({a: 1, b: 1.5, c: undefined, d: [undefined, 2], e: () => 1, f: null}), {a: 1n, b: 1.5, d: [null, 2n], f: null})
})

test('a syntax error throws at compile time with its range', () => {
  assert.throws(() => compileCondition('steps.t.outputs.x ==', pos), (e: any) => e.name === 'ParseError' && e.range.start === 20)
})

test.run()
