// Typed failures as the executors throw them, through their public run(): the agent against the fake
// Messages API (statuses, retry-after headers, connection errors), claude-code through the fake
// claude (API statuses, usage limits), shell (non-zero exit, keeping its outputs); and classify().
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {classify, StepFailure} from '../../src/index.js'
import {createAgentExecutor} from '../../src/plugins/agent.js'
import {claudeCode} from '../../src/plugins/claude-code.js'
import {shell} from '../../src/plugins/shell.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {makeCtx as agentCtx, TEST_KEY} from './agent.helpers.js'
import {makeCtx as claudeCtx, rejection} from './claude-code.helpers.js'

// One try per request: the SDK's own retries are the engine's business here.
const agent = createAgentExecutor({maxRetries: 0})

async function agentFailure(...replies: Parameters<typeof reply.error>[]): Promise<StepFailure> {
  const fake = await startFakeAnthropic(replies.map(r => reply.error(...r)))
  const dir = tmpDir()
  try {
    const error = await rejection(agent.run({prompt: 'x'}, agentCtx({workingDir: dir, baseURL: fake.url}).ctx))
    assert.ok(StepFailure.is(error), `a StepFailure, got ${error}`)
    return error as StepFailure
  } finally {
    await fake.close()
    rmDir(dir)
  }
}

test('agent: 429 is rate_limit with retry-after (seconds) or retry-after-ms, retryable', async () => {
  const seconds = await agentFailure([429, {headers: {'retry-after': '7'}, retry: false}])
  assert.equal([seconds.kind, seconds.retryable, seconds.retryAfterMs, seconds.status], ['rate_limit', true, 7000, 429])
  assert.match(seconds.message, 'Anthropic API error 429 rate_limit_error')
  const ms = await agentFailure([429, {headers: {'retry-after-ms': '1500', 'retry-after': '9'}}])
  assert.is(ms.retryAfterMs, 1500, 'retry-after-ms wins over retry-after')
  const date = await agentFailure([429, {headers: {'retry-after': new Date(Date.now() + 30_000).toUTCString()}, retry: false}])
  assert.ok(date.retryAfterMs! > 25_000 && date.retryAfterMs! <= 30_000, String(date.retryAfterMs))
})

test('agent: a failure that echoes the key is masked and keeps its kind and retry-after', async () => {
  const f = await agentFailure([429, {message: `slow down, ${TEST_KEY}`, headers: {'retry-after': '3'}, retry: false}])
  assert.equal([f.kind, f.retryAfterMs, f.status], ['rate_limit', 3000, 429])
  assert.match(f.message, 'slow down, [REDACTED]')
  assert.not.match(f.message + String(f.stack) + JSON.stringify(f), TEST_KEY)
  assert.is((f as Error).cause, undefined, 'the cause, which holds the key, is dropped')
})

test('agent: 529 overloaded, 500/503 server, 401/403 auth (never retryable), 400 invalid', async () => {
  const kinds = []
  for (const status of [529, 500, 503, 401, 403, 400]) {
    const f = await agentFailure([status, {retry: false}])
    kinds.push([status, f.kind, f.retryable])
  }
  assert.equal(kinds, [
    [529, 'overloaded', true],
    [500, 'server', true],
    [503, 'server', true],
    [401, 'auth', false],
    [403, 'auth', false],
    [400, 'invalid', false],
  ])
})

test('agent: a refused connection is network; an abort is cancelled', async () => {
  const fake = await startFakeAnthropic([])
  const url = fake.url
  await fake.close()
  const dir = tmpDir()
  try {
    const net = await rejection(agent.run({prompt: 'x'}, agentCtx({workingDir: dir, baseURL: url}).ctx))
    assert.ok(StepFailure.is(net))
    assert.equal([(net as StepFailure).kind, (net as StepFailure).retryable], ['network', true])
    assert.match(net.message, `Could not reach the Anthropic API at ${url}`)

    const hang = await startFakeAnthropic([reply.hang()])
    const controller = new AbortController()
    const running = agent.run({prompt: 'x'}, agentCtx({workingDir: dir, baseURL: hang.url, signal: controller.signal}).ctx)
    setTimeout(() => controller.abort(new Error('cancelled')), 200)
    const cancelled = await rejection(running)
    await hang.close()
    assert.is(classify(cancelled).kind, 'cancelled')
  } finally {
    rmDir(dir)
  }
})

test('claude-code: the API status of the result gives the kind', async () => {
  const seen = []
  for (const scenario of ['api-error', 'rate-limited']) {
    const err = await rejection(claudeCode.run({prompt: 'x'}, claudeCtx({scenario})))
    assert.ok(StepFailure.is(err), scenario)
    seen.push([scenario, (err as StepFailure).kind, (err as StepFailure).status, (err as StepFailure).retryable])
  }
  assert.equal(seen, [
    ['api-error', 'server', 500, true],
    ['rate-limited', 'rate_limit', 429, true],
  ])
})

test('claude-code: a usage limit is quota with its reset time, never retryable', async () => {
  const err = await rejection(claudeCode.run({prompt: 'x'}, claudeCtx({scenario: 'usage-limit'})))
  assert.ok(StepFailure.is(err))
  const f = err as StepFailure
  assert.equal([f.kind, f.retryable, f.resetsAt], ['quota', false, '2026-12-07T18:00:00.000Z'])
  assert.match(f.message, 'Claude Code usage limit reached; it resets at 2026-12-07T18:00:00.000Z')
})

test('claude-code: a refused key is auth, the budget stop is budget, a missing binary invalid', async () => {
  const auth = await rejection(claudeCode.run({prompt: 'x'}, claudeCtx({scenario: 'auth-retry'})))
  assert.is(classify(auth).kind, 'auth')
  const empty = tmpDir()
  const missing = await rejection(claudeCode.run({prompt: 'x'}, claudeCtx({path: empty})))
  assert.is(classify(missing).kind, 'invalid')
  rmDir(empty)
  const turns = await rejection(claudeCode.run({prompt: 'x'}, claudeCtx({scenario: 'error-result'})))
  assert.is(classify(turns).kind, 'other')
})

test('shell: a non-zero exit is kind exit and keeps exitCode, stdout and stderr as outputs', async () => {
  const dir = tmpDir()
  const ctx = {...agentCtx({workingDir: dir}).ctx, stepId: 'sh'}
  try {
    const err = await rejection(shell.run({run: 'echo out; echo err >&2; exit 3'}, ctx))
    assert.ok(StepFailure.is(err))
    const f = err as StepFailure
    assert.equal([f.kind, f.retryable], ['exit', true])
    assert.equal((err as any).outputs, {exitCode: 3, stdout: 'out', stderr: 'err'})
    assert.is(f.message, 'command exited with code 3: err')
  } finally {
    rmDir(dir)
  }
})

test('classify: StepFailure as is, across copies (Symbol.for brand), causes, execa-like and node errors', () => {
  const own = new StepFailure('budget', 'spent')
  assert.is(classify(own), own)
  const foreign = Object.assign(new Error('from a bundled copy'), {kind: 'rate_limit', retryable: true, [Symbol.for('adw.StepFailure')]: true})
  assert.ok(StepFailure.is(foreign))
  assert.not.ok(StepFailure.is(Object.assign(new Error('look-alike'), {kind: 'auth'})))
  const wrapped = new Error('Readable message', {cause: Object.assign(new Error('429'), {status: 429, headers: {'retry-after-ms': '20'}})})
  assert.equal([classify(wrapped).kind, classify(wrapped).retryAfterMs, classify(wrapped).message], ['rate_limit', 20, 'Readable message'])
  assert.is(classify(Object.assign(new Error('x'), {timedOut: true})).kind, 'timeout')
  assert.is(classify(Object.assign(new Error('x'), {isCanceled: true})).kind, 'cancelled')
  assert.is(classify(Object.assign(new Error('x'), {exitCode: 2})).kind, 'exit')
  assert.is(classify(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})).kind, 'network')
  assert.is(classify(new DOMException('The operation was aborted', 'AbortError')).kind, 'cancelled')
  assert.is(classify(new DOMException('The operation timed out', 'TimeoutError')).kind, 'timeout')
  assert.is(classify('a string').kind, 'other')
  const outputs = {exitCode: 1}
  assert.is(classify(Object.assign(new Error('x'), {outputs})).outputs, outputs)
})

test.run()
