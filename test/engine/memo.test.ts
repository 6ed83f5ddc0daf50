import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {canonicalJson, changedParts, contentKey, decide, modelInForce, type KeyInput} from '../../src/engine/memo.js'

const base = (): KeyInput => ({
  executor: {name: 'agent', version: '1'},
  options: {prompt: 'Write a plan for: login', output: 'text', max: {turns: 5, tokens: 100}},
  env: {ADW_TAG_1: 'x'},
  model: 'claude-sonnet-4-5',
  upstream: {plan: {status: 'succeeded', outputs: {text: 'the plan'}}, lint: {status: 'skipped', outputs: {}}},
})

test('same content gives the same key, a 64-hex sha256; the parts are short digests', () => {
  const a = contentKey(base())
  const b = contentKey(base())
  assert.is(a.key, b.key)
  assert.match(a.key, /^[0-9a-f]{64}$/)
  assert.equal(a.parts, b.parts)
  assert.match(a.parts.with, /^[0-9a-f]{16}$/)
  assert.equal(Object.keys(a.parts.upstream).sort(), ['lint', 'plan'])
})

test('key order in objects does not matter, at any depth (outputs read back from the store reorder nothing that counts)', () => {
  const a = contentKey(base())
  const reordered: KeyInput = {
    upstream: {lint: {outputs: {}, status: 'skipped'}, plan: {outputs: {text: 'the plan'}, status: 'succeeded'}},
    model: 'claude-sonnet-4-5',
    env: {ADW_TAG_1: 'x'},
    options: {max: {tokens: 100, turns: 5}, output: 'text', prompt: 'Write a plan for: login'},
    executor: {version: '1', name: 'agent'},
  }
  assert.is(contentKey(reordered).key, a.key)
  // A JSON round trip (what resume reads back) and undefined members (JSON drops them) change nothing.
  const trip = JSON.parse(JSON.stringify(base())) as KeyInput
  assert.is(contentKey(trip).key, a.key)
  const withUndefined = base()
  withUndefined.options.extra = undefined
  assert.is(contentKey(withUndefined).key, a.key)
})

test('any change in any part gives another key, and names the part that changed', () => {
  const a = contentKey(base())
  const changes: Array<[string, (k: KeyInput) => void, string[]]> = [
    ['the rendered prompt', k => (k.options.prompt = 'Write a plan for: logout'), ['its with: changed']],
    ['a nested option', k => ((k.options.max as {turns: number}).turns = 6), ['its with: changed']],
    ['an array order', k => (k.options.files = ['a', 'b']), ['its with: changed']],
    ['a shell tag value', k => (k.env = {ADW_TAG_1: 'y'}), ['its with: changed']],
    ['the executor name', k => (k.executor = {name: 'claude-code', version: '1'}), ['its executor changed']],
    ['the executor version', k => (k.executor = {name: 'agent', version: '2'}), ['its executor changed']],
    ['no executor version', k => (k.executor = {name: 'agent'}), ['its executor changed']],
    ['the model', k => (k.model = 'claude-opus-4-1'), ['its model changed']],
    ['no model', k => (k.model = undefined), ['its model changed']],
    ['an upstream output', k => (k.upstream.plan.outputs = {text: 'another plan'}), ['upstream plan changed']],
    ['an upstream status', k => (k.upstream.lint.status = 'succeeded'), ['upstream lint changed']],
    ['a new upstream step', k => (k.upstream.extra = {status: 'succeeded', outputs: {}}), ['upstream extra changed']],
    ['an upstream step fewer', k => delete k.upstream.lint, ['upstream lint changed']],
    ['two parts', k => ((k.options.prompt = 'other'), (k.upstream.plan.outputs = {})), ['upstream plan changed', 'its with: changed']],
  ]
  const seen = new Set([a.key])
  for (const [what, change, why] of changes) {
    const k = base()
    change(k)
    const b = contentKey(k)
    assert.not.ok(seen.has(b.key), `changing ${what} must give a new key`)
    seen.add(b.key)
    assert.equal(changedParts(a.parts, b.parts), why, what)
  }
  const files = base()
  files.options.files = ['b', 'a']
  assert.not.ok(seen.has(contentKey(files).key), 'array order is content')
})

test("a forEach item's key covers its item, even when its with: does not name it; a step without forEach has no item part", () => {
  const plain = contentKey(base())
  assert.is(plain.parts.item, undefined)
  const a = contentKey({...base(), item: {value: {title: 'parse'}}})
  const b = contentKey({...base(), item: {value: {title: 'write'}}})
  assert.is.not(a.key, b.key)
  assert.is.not(a.key, plain.key)
  assert.is(contentKey({...base(), item: {value: {title: 'parse'}}}).key, a.key)
  assert.equal(changedParts(a.parts, b.parts), ['its item changed'])
  // null is an item like any other, not "no item"
  assert.is.not(contentKey({...base(), item: {value: null}}).key, plain.key)
})

test('values that print alike in a loose encoding stay apart: 1 vs "1", null vs absent, nested vs flat', () => {
  const key = (options: Record<string, unknown>) => contentKey({...base(), options}).key
  assert.is.not(key({n: 1}), key({n: '1'}))
  assert.is.not(key({n: null}), key({}))
  assert.is.not(key({a: {b: 1}}), key({'a.b': 1}))
  assert.is.not(key({a: 'x', b: 'y'}), key({a: 'x","b":"y'}))
})

test('canonicalJson sorts keys at every depth and keeps arrays in order', () => {
  assert.is(canonicalJson({b: 1, a: [{d: 1, c: 2}], c: undefined}), '{"a":[{"c":2,"d":1}],"b":1}')
  assert.is(canonicalJson(undefined), 'null')
})

test('the model in force counts only for executors that take a model option', () => {
  const agent = {schema: {type: 'object', properties: {prompt: {}, model: {}}}}
  const shell = {schema: {type: 'object', properties: {run: {}}}}
  assert.is(modelInForce(agent, {prompt: 'x'}, 'run-default'), 'run-default')
  assert.is(modelInForce(agent, {prompt: 'x', model: 'claude-haiku-4-5'}, 'run-default'), 'claude-haiku-4-5')
  assert.is(modelInForce(shell, {run: 'echo'}, 'run-default'), undefined)
  assert.is(modelInForce({}, {model: 'x'}, 'run-default'), undefined)
})

test('decide: only a succeeded run with the same key is reused; failures, interruptions and --from always run again', () => {
  const now = contentKey(base())
  const row = (status: string, key: string | null = now.key, parts: unknown = now.parts) => ({status, content_key: key, key_parts: parts === null ? null : JSON.stringify(parts)})
  const ctx = {samePipeline: true}
  assert.equal(decide('plan', now, row('succeeded'), ctx), {reuse: true, reason: 'reused: key unchanged'})
  assert.equal(decide('plan', now, undefined, ctx), {reuse: false, reason: 'run: not run before'})
  for (const status of ['failed', 'interrupted', 'cancelled']) assert.equal(decide('plan', now, row(status), ctx), {reuse: false, reason: `re-run: ${status} before`})
  const other = base()
  other.options.prompt = 'edited'
  const old = contentKey(other)
  assert.equal(decide('plan', now, row('succeeded', old.key, old.parts), ctx), {reuse: false, reason: 're-run: its with: changed'})
  assert.equal(decide('plan', now, row('succeeded', old.key, null), ctx), {reuse: false, reason: 're-run: key changed'})
  assert.equal(decide('plan', undefined, row('succeeded'), ctx), {reuse: false, reason: 're-run: its with: no longer renders'})
  const forced = {samePipeline: true, from: 'plan', forced: new Set(['plan', 'build'])}
  assert.equal(decide('plan', now, row('succeeded'), forced), {reuse: false, reason: 're-run: --from plan'})
  assert.equal(decide('build', now, row('succeeded'), forced), {reuse: false, reason: 're-run: downstream of --from plan'})
  assert.equal(decide('review', now, row('succeeded'), forced).reuse, true)
})

test('decide: rows recorded before resume keys are reused while the pipeline is the one the run started with', () => {
  const now = contentKey(base())
  const legacy = {status: 'succeeded', content_key: null, key_parts: null}
  assert.equal(decide('plan', now, legacy, {samePipeline: true}), {reuse: true, reason: 'reused: recorded before resume keys, pipeline unchanged'})
  assert.equal(decide('plan', now, legacy, {samePipeline: false}), {reuse: false, reason: 're-run: recorded before resume keys and the pipeline changed'})
  assert.equal(decide('plan', now, {...legacy, status: 'failed'}, {samePipeline: true}).reuse, false)
})

test.run()
