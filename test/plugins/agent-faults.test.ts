import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {agent} from '../../src/plugins/agent.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {makeCtx, TEST_KEY} from './agent.helpers.js'

const fail = (p: Promise<unknown>) => p.then(() => undefined as Error | undefined, e => e as Error)

test('a 529 is retried by the SDK, then the answer is used', async () => {
  const fake = await startFakeAnthropic([reply.error(529), reply.text('after the storm')])
  const dir = tmpDir()
  try {
    const {ctx, usages} = makeCtx({workingDir: dir, baseURL: fake.url})
    const result = await agent.run({prompt: 'x'}, ctx)
    assert.equal(result?.outputs, {text: 'after the storm'})
    assert.equal(fake.messageRequests().map(r => r.headers['x-stainless-retry-count']), ['0', '1'])
    assert.is(usages.length, 1, 'a failed attempt reports no usage')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('529 after every retry fails naming the status and the request id', async () => {
  const fake = await startFakeAnthropic([reply.error(529), reply.error(529), reply.error(529, {requestId: 'req_overloaded_42'})])
  const dir = tmpDir()
  try {
    const err = await fail(agent.run({prompt: 'x'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx))
    assert.is(err?.message, 'Anthropic API error 529 overloaded_error, request id req_overloaded_42: overloaded_error (after 2 retries).')
    assert.is(fake.messageRequests().length, 3)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('a 429 mid-conversation is retried too', async () => {
  const dir = tmpDir()
  const fake = await startFakeAnthropic([reply.tool('Glob', {pattern: '*'}), reply.error(429), reply.text('ok')])
  try {
    const result = await agent.run({prompt: 'x'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    assert.equal(result?.outputs, {text: 'ok'})
    const [, retried, ok] = fake.messageRequests()
    assert.equal(retried.body, ok.body, 'the retry resends the same conversation')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('401 is not retried and says to check the key, without printing it', async () => {
  const fake = await startFakeAnthropic([reply.error(401, {message: 'invalid x-api-key', requestId: 'req_auth_1'})])
  const dir = tmpDir()
  try {
    const {ctx, all} = makeCtx({workingDir: dir, baseURL: fake.url})
    const err = await fail(agent.run({prompt: 'x'}, ctx))
    assert.match(err!.message, 'Anthropic API rejected the API key (401 authentication_error, request id req_auth_1)')
    assert.match(err!.message, "Check ANTHROPIC_API_KEY in the environment or in the working directory's .env")
    assert.not.match(err!.message + String(err!.stack), TEST_KEY)
    assert.not.ok(all().includes(TEST_KEY))
    assert.is(fake.messageRequests().length, 1)
    assert.is(fake.messageRequests()[0].headers.authorization, `Bearer ${TEST_KEY}`)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('a secret echoed by the server is redacted from logs and errors', async () => {
  const fake = await startFakeAnthropic([reply.text(`your key is ${TEST_KEY}`), reply.error(400, {message: `bad key ${TEST_KEY}`})])
  const dir = tmpDir()
  try {
    const {ctx, all, logs} = makeCtx({workingDir: dir, baseURL: fake.url})
    await agent.run({prompt: 'x'}, ctx)
    assert.ok(logs.some(l => l.message === 'your key is [REDACTED]'))
    const err = await fail(agent.run({prompt: 'x'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx))
    assert.match(err!.message, 'bad key [REDACTED]')
    assert.not.ok(all().includes(TEST_KEY))
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('an unreachable base URL fails with a message naming it', async () => {
  const fake = await startFakeAnthropic([])
  const url = fake.url
  await fake.close()
  const dir = tmpDir()
  try {
    const {ctx} = makeCtx({workingDir: dir, baseURL: url})
    const err = await fail(agent.run({prompt: 'x'}, ctx))
    assert.match(err!.message, `Could not reach the Anthropic API at ${url}`)
  } finally {
    rmDir(dir)
  }
})

test('abort mid-stream rejects promptly with the abort reason', async () => {
  const fake = await startFakeAnthropic([reply.hang('Thinking hard')])
  const dir = tmpDir()
  try {
    const ac = new AbortController()
    const {ctx, progress} = makeCtx({workingDir: dir, baseURL: fake.url, signal: ac.signal})
    const running = fail(agent.run({prompt: 'x'}, ctx))
    await until(() => progress.some(p => p.startsWith('Thinking')), 'the model to start streaming (progress "Thinking")')
    const started = Date.now()
    ac.abort(new Error('Step cancelled (Ctrl-C)'))
    const err = await running
    assert.ok(Date.now() - started < 5000, `rejected in ${Date.now() - started} ms`)
    assert.is(err?.message, 'Step cancelled (Ctrl-C)')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('abort during a Bash tool call kills the command group and rejects', async () => {
  const fake = await startFakeAnthropic([reply.tool('Bash', {command: 'sleep 60 & sleep 60'}), reply.text('never')])
  const dir = tmpDir()
  try {
    const ac = new AbortController()
    const {ctx, progress} = makeCtx({workingDir: dir, baseURL: fake.url, signal: ac.signal})
    const running = fail(agent.run({prompt: 'x'}, ctx))
    await until(() => progress.some(p => p.startsWith('Bash sleep')), 'the Bash tool call to start (progress "Bash sleep")')
    await new Promise(r => setTimeout(r, 100))
    const started = Date.now()
    ac.abort(new Error('timed out after 5s'))
    const err = await running
    assert.ok(Date.now() - started < 5000, `rejected in ${Date.now() - started} ms`)
    assert.is(err?.message, 'timed out after 5s')
    assert.is(fake.messageRequests().length, 1)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
