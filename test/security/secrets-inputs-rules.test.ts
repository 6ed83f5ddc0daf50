// What adw records of a run's inputs and what `--resume` asks for again, as the values and messages a
// user meets (secrets-inputs.test.ts checks the same through the real CLI, end to end).
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {AdwError} from '../../src/errors.js'
import type {Pipeline} from '../../src/pipeline/types.js'
import {recordedInputs, resolveRunInputs, restoreInputs, secretInputValues} from '../../src/secrets/inputs.js'
import {createRedactor, MASK} from '../../src/secrets/redactor.js'

const pipeline = {
  name: 'deploy',
  file: '/p/deploy.yaml',
  source: '',
  steps: [],
  inputs: {
    tok: {type: 'string', secret: true, required: true},
    pin: {type: 'number', secret: true},
    target: {type: 'string', default: 'staging'},
    note: {type: 'string'},
  },
} as unknown as Pipeline

/** The message and its Try: lines, or 'no error'. */
function refusal(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (!(error instanceof AdwError)) throw error
    return [error.message, ...error.suggestions.map(s => `Try: ${s}`)].join('\n')
  }
  return 'no error'
}

test('the values steps get but nothing records: the secret inputs given, as text', () => {
  assert.equal(secretInputValues(pipeline, {tok: 'tok-value-1', pin: 4321, target: 'prod'}), ['tok-value-1', '4321'])
  assert.equal(secretInputValues(pipeline, {target: 'prod'}), [])
})

test('recorded inputs: a secret input is [REDACTED] however short; another holding a secret is masked; the rest as given', () => {
  const redact = createRedactor(['env-secret-77'])
  assert.equal(recordedInputs(pipeline, {tok: 'ab', pin: 7, target: 'prod with env-secret-77', note: 'plain', extra: 'env-secret-77'}, redact), {
    tok: MASK,
    pin: MASK,
    target: `prod with ${MASK}`,
    note: 'plain',
    extra: MASK,
  })
})

test('a bad value of a secret input is refused without repeating it, with the hint kept', () => {
  assert.is(refusal(() => resolveRunInputs(pipeline, {tok: 'abcdefgh', pin: 'not-a-pin-123'})), `Input "pin" must be a number, got "${MASK}"\nTry: --input pin=42`)
  assert.is(refusal(() => resolveRunInputs(pipeline, {pin: '1234'})), 'Missing required input "tok" for pipeline deploy (declared inputs: tok, pin, target, note)\nTry: Pass it with --input tok=...')
  assert.equal(resolveRunInputs(pipeline, {tok: 'abcdefgh', pin: '12'}), {tok: 'abcdefgh', pin: 12, target: 'staging'})
})

test('--resume: every input stored masked must be given again, and only those', () => {
  const stored = {tok: MASK, pin: MASK, target: 'staging'}
  assert.is(
    refusal(() => restoreInputs(pipeline, 'r1', stored, {})),
    'Run "r1" was started with secret input(s) tok, pin, which adw stores masked; give them again to resume\nTry: adw run --resume --adw-id r1 --input tok=... --input pin=...',
  )
  assert.is(
    refusal(() => restoreInputs(pipeline, 'r1', stored, {tok: 'again-tok-1'})),
    'Run "r1" was started with secret input(s) pin, which adw stores masked; give them again to resume\nTry: adw run --resume --adw-id r1 --input pin=...',
  )
  assert.is(
    refusal(() => restoreInputs(pipeline, 'r1', stored, {tok: 'x', pin: '1', target: 'prod'})),
    '--resume continues run "r1" with the inputs stored with it; --input is only for the inputs stored masked (tok, pin), not target\nTry: adw run --resume --adw-id r1 --input tok=... --input pin=...',
  )
  assert.equal(restoreInputs(pipeline, 'r1', stored, {tok: 'again-tok-1', pin: '1234'}), {tok: 'again-tok-1', pin: 1234, target: 'staging'})
})

test('--resume of a run with nothing masked takes no --input and keeps the stored inputs as they are', () => {
  const stored = {target: 'prod', note: 'n'}
  assert.is(restoreInputs(pipeline, 'r2', stored, {}), stored)
  assert.is(
    refusal(() => restoreInputs(pipeline, 'r2', stored, {note: 'other'})),
    '--resume continues run "r2" with the inputs stored with it; --input is only for the inputs stored masked (none), not note\nTry: adw run --resume --adw-id r2',
  )
})

test('--resume: an input that was not secret but held a secret (stored masked) is asked for again too, as text', () => {
  const stored = {tok: MASK, target: `prod with ${MASK}`, note: 42}
  assert.match(refusal(() => restoreInputs(pipeline, 'r3', stored, {tok: 't'})), 'started with secret input(s) target,')
  assert.equal(restoreInputs(pipeline, 'r3', stored, {tok: 'tok-again', target: 'prod with env-secret-77'}), {tok: 'tok-again', target: 'prod with env-secret-77', note: 42})
  // an input the pipeline no longer declares, stored masked, is restored as a string
  assert.equal(restoreInputs(pipeline, 'r3', {tok: MASK, gone: MASK}, {tok: 'tok-again', gone: 'back'}), {tok: 'tok-again', gone: 'back'})
})

test.run()
