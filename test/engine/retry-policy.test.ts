// The retry policy (nextDelay): which failures are tried again, and after how long.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {nextDelay, retryMessage} from '../../src/engine/retry.js'
import {RETRY_DEFAULTS} from '../../src/pipeline/retry-policy.js'
import type {RetryPolicy} from '../../src/pipeline/types.js'
import {classify, StepFailure, type FailureKind} from '../../src/plugins/failures.js'
import {stepStopReason} from '../../src/engine/cancel.js'

const policy = (p: Partial<RetryPolicy> = {}): RetryPolicy => ({...RETRY_DEFAULTS, ...p})
const fail = (kind: FailureKind, opts: ConstructorParameters<typeof StepFailure>[2] = {}) => new StepFailure(kind, `${kind} happened`, opts)
const top = () => 1 // jitter at its top: the full backoff
const bottom = () => 0 // jitter at its bottom: half of it

test('exponential backoff: initial × factor^(attempt−1), capped at max', () => {
  const p = policy({maxAttempts: 10, backoff: {initialMs: 1000, factor: 2, maxMs: 10_000}})
  assert.equal([1, 2, 3, 4, 5, 6].map(a => nextDelay(p, a, fail('server'), top)), [1000, 2000, 4000, 8000, 10_000, 10_000])
})

test('jitter keeps each wait between half the backoff and all of it', () => {
  const p = policy({maxAttempts: 5, backoff: {initialMs: 1000, factor: 3, maxMs: 60_000}})
  assert.is(nextDelay(p, 2, fail('network'), bottom), 1500)
  assert.is(nextDelay(p, 2, fail('network'), () => 0.5), 2250)
  for (let i = 0; i < 200; i++) {
    const d = nextDelay(p, 3, fail('network'))!
    assert.ok(d >= 4500 && d <= 9000, String(d))
  }
})

test('the last attempt is not retried: maxAttempts counts the first try', () => {
  const p = policy({maxAttempts: 3})
  assert.type(nextDelay(p, 1, fail('rate_limit'), top), 'number')
  assert.type(nextDelay(p, 2, fail('rate_limit'), top), 'number')
  assert.is(nextDelay(p, 3, fail('rate_limit'), top), undefined)
  assert.is(nextDelay(policy({maxAttempts: 1}), 1, fail('rate_limit'), top), undefined)
})

test('auth, budget, quota, cancelled and invalid are never retried, not even with on: [any]', () => {
  const p = policy({maxAttempts: 5, on: ['any']})
  for (const kind of ['auth', 'budget', 'quota', 'cancelled', 'invalid'] as const) {
    assert.is(nextDelay(p, 1, fail(kind, {retryAfterMs: 10}), top), undefined, kind)
    assert.is(fail(kind).retryable, false, kind)
  }
  for (const kind of ['rate_limit', 'overloaded', 'server', 'timeout', 'network', 'exit', 'other'] as const) {
    assert.type(nextDelay(p, 1, fail(kind), top), 'number', kind)
  }
})

test('the reason a step is stopped with (Ctrl-C, failFast) is a cancel, however an executor hands it back: never retried with on: [any]', () => {
  const p = policy({maxAttempts: 5, on: ['any']})
  const cancel = new AbortController()
  const stop = new AbortController()
  stop.abort(new Error('failFast: step bad failed'))
  const byFailFast = stepStopReason(cancel.signal, stop.signal)
  assert.is(byFailFast.message, 'cancelled (failFast: step bad failed)')
  cancel.abort()
  const byCtrlC = stepStopReason(cancel.signal, stop.signal)
  assert.is(byCtrlC.message, 'cancelled')
  for (const reason of [byFailFast, byCtrlC]) {
    // as thrown, wrapped as a cause (an executor that adds context), or re-classified
    for (const e of [reason, new Error(`step stopped: ${reason.message}`, {cause: reason}), classify(reason)]) {
      assert.is(classify(e).kind, 'cancelled', e.message)
      assert.is(nextDelay(p, 1, classify(e), top), undefined, e.message)
    }
  }
})

test('only the kinds in on: are retried; the default is rate_limit, overloaded, server, network', () => {
  const d = policy()
  assert.equal(
    (['rate_limit', 'overloaded', 'server', 'network', 'timeout', 'exit', 'other'] as const).map(k => nextDelay(d, 1, fail(k), top) !== undefined),
    [true, true, true, true, false, false, false],
  )
  const p = policy({on: ['exit', 'timeout']})
  assert.is(nextDelay(p, 1, fail('exit'), top), 1000)
  assert.is(nextDelay(p, 1, fail('timeout'), top), 1000)
  assert.is(nextDelay(p, 1, fail('rate_limit'), top), undefined)
})

test('retry-after is honoured as given (no jitter), at most backoff.max', () => {
  const p = policy({backoff: {initialMs: 1000, factor: 2, maxMs: 30_000}})
  assert.is(nextDelay(p, 1, fail('rate_limit', {retryAfterMs: 7000}), bottom), 7000)
  assert.is(nextDelay(p, 2, fail('rate_limit', {retryAfterMs: 250}), top), 250)
  assert.is(nextDelay(p, 1, fail('rate_limit', {retryAfterMs: 120_000}), top), 30_000)
  assert.is(nextDelay(p, 1, fail('rate_limit', {retryAfterMs: 0}), top), 0)
})

test('the log line says why, how long and which attempt comes next', () => {
  const p = policy({maxAttempts: 3, backoff: {initialMs: 1000, factor: 2, maxMs: 5000}})
  assert.is(retryMessage(fail('rate_limit', {status: 429, retryAfterMs: 2000}), 1, p, 2000), 'rate_limit (429): trying again in 2.0 s (attempt 2 of 3, as retry-after asked)')
  assert.is(retryMessage(fail('rate_limit', {status: 429, retryAfterMs: 90_000}), 1, p, 5000), 'rate_limit (429): trying again in 5.0 s (attempt 2 of 3, retry-after 90.0 s capped at backoff.max)')
  assert.is(retryMessage(fail('exit'), 2, p, 1500), 'exit: trying again in 1.5 s (attempt 3 of 3)')
})

test.run()
