import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {resolveInputs} from '../../src/pipeline/template.js'
import type {Pipeline} from '../../src/pipeline/types.js'

const pipeline: Pipeline = {
  name: 'demo',
  file: '/p/demo.yaml',
  source: '',
  steps: [],
  inputs: {
    prompt: {type: 'string', required: true},
    model: {type: 'string', default: 'claude-sonnet-4-5'},
    retries: {type: 'number', default: 2},
    dry: {type: 'boolean', default: false},
    note: {type: 'string'},
  },
}

test('applies defaults and leaves optional inputs without default out', () => {
  assert.equal(resolveInputs(pipeline, {prompt: 'hi'}), {prompt: 'hi', model: 'claude-sonnet-4-5', retries: 2, dry: false})
})

test('coerces numbers and booleans from strings', () => {
  const r = resolveInputs(pipeline, {prompt: 'hi', retries: '5', dry: 'true', note: '42'})
  assert.equal(r, {prompt: 'hi', model: 'claude-sonnet-4-5', retries: 5, dry: true, note: '42'})
  assert.is(resolveInputs(pipeline, {prompt: 'x', dry: 'no'}).dry, false)
  assert.is(resolveInputs(pipeline, {prompt: 'x', retries: '0.5'}).retries, 0.5)
})

test('a missing required input is a usage error naming it and the declared ones', () => {
  assert.throws(() => resolveInputs(pipeline, {}), (e: any) => {
    assert.is(e.code, 'USAGE')
    assert.is(e.exitCode, 2)
    assert.match(e.message, 'Missing required input "prompt"')
    assert.match(e.message, 'prompt, model, retries, dry, note')
    assert.match(e.suggestions.join(' '), '--prompt')
    return true
  })
})

test('an undeclared input is a usage error listing the declared ones', () => {
  assert.throws(() => resolveInputs(pipeline, {prompt: 'x', modle: 'y'}), (e: any) => e.code === 'USAGE' && /Unknown input "modle".*declares prompt, model, retries, dry, note/.test(e.message))
})

test('a bad number or boolean names the input and the value', () => {
  assert.throws(() => resolveInputs(pipeline, {prompt: 'x', retries: 'many'}), /Input "retries" must be a number, got "many"/)
  assert.throws(() => resolveInputs(pipeline, {prompt: 'x', retries: ''}), /Input "retries" must be a number/)
  assert.throws(() => resolveInputs(pipeline, {prompt: 'x', dry: 'maybe'}), /Input "dry" must be true or false, got "maybe"/)
})

test('booleans: true/yes/y/on/1 and false/no/n/off/0, in any case and with spaces around', () => {
  for (const t of ['true', 'yes', 'y', 'on', '1', ' TRUE ', 'Yes']) assert.is(resolveInputs(pipeline, {prompt: 'x', dry: t}).dry, true, t)
  for (const f of ['false', 'no', 'n', 'off', '0', ' False ', 'OFF']) assert.is(resolveInputs(pipeline, {prompt: 'x', dry: f}).dry, false, f)
})

test('numbers: spaces around are fine; blank, Infinity or words are refused with a hint', () => {
  assert.is(resolveInputs(pipeline, {prompt: 'x', retries: ' 7 '}).retries, 7)
  for (const bad of ['  ', 'Infinity', '1e999', 'seven']) {
    assert.throws(() => resolveInputs(pipeline, {prompt: 'x', retries: bad}), (e: any) => e.code === 'USAGE' && e.message === `Input "retries" must be a number, got "${bad}"` && e.suggestions[0] === '--input retries=42', JSON.stringify(bad))
  }
  assert.throws(() => resolveInputs(pipeline, {prompt: 'x', dry: 'maybe'}), (e: any) => e.suggestions[0] === '--input dry=true')
})

test('the hint says how to pass a missing input: --prompt for prompt, --input name=... otherwise, or the caller’s own flag', () => {
  const need = {...pipeline, inputs: {prompt: {type: 'string' as const, required: true}, target: {type: 'string' as const, required: true}}}
  const hint = (given: Record<string, unknown>, opts = {}) => {
    try {
      resolveInputs(need, given, opts)
    } catch (e: any) {
      return [e.message, ...e.suggestions].join('\n')
    }
    return 'no error'
  }
  assert.is(hint({}), 'Missing required input "prompt" for pipeline demo (declared inputs: prompt, target)\nPass it with --prompt "..."')
  assert.is(hint({prompt: 'x'}), 'Missing required input "target" for pipeline demo (declared inputs: prompt, target)\nPass it with --input target=...')
  assert.is(hint({prompt: 'x'}, {flagFor: (n: string) => `--with ${n}`}), 'Missing required input "target" for pipeline demo (declared inputs: prompt, target)\nPass it with --with target')
})

test('an undeclared input: where to declare it, and the declared ones to pick from', () => {
  const message = (p: typeof pipeline) => {
    try {
      resolveInputs(p, {modle: 'y'})
    } catch (e: any) {
      return [e.message, ...e.suggestions].join('\n')
    }
    return 'no error'
  }
  assert.is(message({...pipeline, inputs: {}}), 'Unknown input "modle": pipeline demo declares (none)\nDeclare it under inputs: in /p/demo.yaml')
  assert.is(message(pipeline), 'Unknown input "modle": pipeline demo declares prompt, model, retries, dry, note\nDeclare it under inputs: in /p/demo.yaml, or pass one of: prompt, model, retries, dry, note')
})

test('an input without a type is a string; a default that is a mapping reads as its JSON', () => {
  const p = {...pipeline, inputs: {plain: {}, meta: {type: 'string' as const, default: {a: 1}}}} as unknown as Pipeline
  assert.equal(resolveInputs(p, {plain: 'text'}), {plain: 'text', meta: '{"a":1}'})
})

test.run()
