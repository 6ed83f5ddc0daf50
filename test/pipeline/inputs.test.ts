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

test.run()
