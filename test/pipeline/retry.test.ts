// `retry:` as the loader parses it into a RetryPolicy, and the mistakes it reports.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {ValidationError} from '../../src/errors.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import type {ActionStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'

const registry = createRegistry([])
const load = (yaml: string) => loadPipelineSource(yaml, 'p.yaml', {registry})
const step = (retry: string) => `name: x\nsteps:\n  - id: call\n    uses: noop\n    retry: ${retry}\n`
const policy = async (retry: string) => ((await load(step(retry))).steps[0] as ActionStep).retry
const problems = async (yaml: string) => {
  try {
    await load(yaml)
  } catch (error) {
    return (error as ValidationError).diagnostics.map(d => `${d.line}:${d.col}: ${d.message}`)
  }
  throw new Error('expected the pipeline to be refused')
}

test('durations, factor and kinds as written; defaults for what is left out', async () => {
  assert.equal(await policy('{maxAttempts: 5, backoff: {initial: 500ms, factor: 3, max: 2m}, on: [rate_limit, exit]}'), {
    maxAttempts: 5,
    backoff: {initialMs: 500, factor: 3, maxMs: 120_000},
    on: ['rate_limit', 'exit'],
  })
  assert.equal(await policy('{}'), {maxAttempts: 3, backoff: {initialMs: 1000, factor: 2, maxMs: 60_000}, on: ['rate_limit', 'overloaded', 'server', 'network']})
  assert.equal(await policy('{backoff: {max: 5m}, on: [any]}'), {maxAttempts: 3, backoff: {initialMs: 1000, factor: 2, maxMs: 300_000}, on: ['any']})
})

test('a number is maxAttempts; no retry: means none', async () => {
  assert.equal(await policy('4'), {maxAttempts: 4, backoff: {initialMs: 1000, factor: 2, maxMs: 60_000}, on: ['rate_limit', 'overloaded', 'server', 'network']})
  const p = await load('name: x\nsteps:\n  - id: call\n    uses: noop\n')
  assert.is((p.steps[0] as ActionStep).retry, undefined)
})

test('every mistake in retry: at its line and column, all at once', async () => {
  assert.equal(
    await problems(`name: x
steps:
  - id: a
    uses: noop
    retry: {maxAttempts: 0, backoff: {initial: 2m, max: 10s}, on: [rate_limit, flaky]}
  - id: b
    uses: noop
    retry: {maxAttempts: 21, backoff: {factor: 0.5, max: 2h}, tries: 3}
  - id: c
    uses: noop
    retry: {backoff: {initial: soon}, on: [any, exit]}
  - id: d
    uses: noop
    retry: {backoff: {initial: 90s}}
`),
    [
      '5:26: retry.maxAttempts of step "a" must be at least 1, got 0',
      '5:48: retry.backoff.initial of step "a" ("2m") cannot be more than its max ("10s"): lower initial or raise max, e.g. backoff: {initial: 1s, max: 60s}',
      '5:80: retry.on.1 of step "a" must be one of "rate_limit", "overloaded", "server", "timeout", "network", "exit", "any", got "flaky"',
      '8:26: retry.maxAttempts of step "b" must be at most 20, got 21',
      '8:48: retry.backoff.factor of step "b" must be at least 1, got 0.5',
      '8:58: retry.backoff.max of step "b" must be at most 1h, got "2h"; e.g. "5m"',
      '8:63: Unknown key "tries" in retry of step "b". Allowed: maxAttempts, backoff, on',
      '11:32: Invalid retry.backoff.initial "soon" in step "c": use a number with a unit, e.g. "500ms", "30s", "10m" or "1h30m"',
      '11:43: retry.on of step "c" lists "any" with other kinds: "any" already covers them (never auth, budget, quota or cancellation); write on: [any] or list the kinds',
      '14:32: retry.backoff.initial of step "d" ("90s") cannot be more than its max (60s, the default): lower initial or raise max, e.g. backoff: {initial: 1s, max: 60s}',
    ],
  )
})

test.run()
