import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {agent, DEFAULT_MODEL} from '../../src/plugins/agent.js'
import {costOf, priceOf} from '../../src/budget/prices.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {makeCtx, TEST_KEY} from './agent.helpers.js'

test('a text answer becomes outputs.text; usage and cost are reported per call', async () => {
  const fake = await startFakeAnthropic([reply.text('Hello from the fake.\nSecond line.', {usage: {input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500}})])
  const dir = tmpDir()
  try {
    const {ctx, logs, usages, progress} = makeCtx({workingDir: dir, baseURL: fake.url})
    const result = await agent.run({prompt: 'Say hello', model: 'claude-sonnet-4-5'}, ctx)
    assert.ok(logs.some(l => l.level === 'WARNING' && l.message.includes('deprecated')), 'SDK deprecation notice goes to the step log')
    assert.equal(result?.outputs, {text: 'Hello from the fake.\nSecond line.'})
    assert.is(usages.length, 1)
    // Sonnet 4.5: $3 in, $15 out, $3.75 cache write, $0.30 cache read per MTok.
    assert.equal(usages[0], {inputTokens: 1000, outputTokens: 200, cacheCreationTokens: 500, cacheReadTokens: 3000, costUsd: 0.003 + 0.003 + 0.001875 + 0.0009, model: 'claude-sonnet-4-5'})
    assert.ok(logs.some(l => l.type === 'output' && l.message.includes('Hello from the fake.')))
    assert.ok(logs.some(l => l.type === 'state_change' && /finished after 1 turn \(stop reason: end_turn\)/.test(l.message)))
    assert.ok(progress.includes('Second line.'), `progress shows the last line of text: ${JSON.stringify(progress)}`)
    assert.not.ok(logs.some(l => l.type === 'cost_update' && l.level !== 'WARNING'), 'the engine records cost_update rows, not the executor')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('requests carry the key as Bearer, cache_control on system and last tool, and the chosen model', async () => {
  const fake = await startFakeAnthropic([reply.text('ok')])
  const dir = tmpDir()
  try {
    const {ctx, all} = makeCtx({workingDir: dir, baseURL: fake.url, model: 'claude-opus-4-7'})
    await agent.run({prompt: 'Hi', system: 'Be brief.'}, ctx)
    const [req] = fake.messageRequests()
    assert.is(req.headers.authorization, `Bearer ${TEST_KEY}`)
    assert.is(req.stream, true)
    assert.is(req.body.model, 'claude-opus-4-7', 'ctx.model (--model/AGENT_MODEL/config) applies when with.model is absent')
    const system = req.body.system
    assert.is(system.length, 2, "adw's base prompt, then the step's own")
    assert.equal(system.map((b: any) => b.cache_control), [{type: 'ephemeral'}, {type: 'ephemeral'}])
    assert.ok(system[system.length - 1].text.includes('Be brief.'))
    assert.ok(system[0].text.includes(`Working directory: `))
    const tools = req.body.tools
    assert.equal(tools.map((t: any) => t.name), ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash'])
    assert.equal(tools[tools.length - 1].cache_control, {type: 'ephemeral'})
    assert.is(tools[0].cache_control, undefined)
    assert.is(JSON.stringify(req.body).split('"cache_control"').length - 1, 4, 'tools, two system blocks, the newest message: the API allows four')
    assert.not.ok(all().includes(TEST_KEY), 'the key never reaches logs, usage or progress')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('model precedence: with.model > ctx.model > default; an empty with.model is unset; tools: [] sends no tools', async () => {
  const fake = await startFakeAnthropic([reply.text('a'), reply.text('b'), reply.text('c')])
  const dir = tmpDir()
  try {
    await agent.run({prompt: 'x', model: 'claude-haiku-4-5'}, makeCtx({workingDir: dir, baseURL: fake.url, model: 'claude-opus-4-7'}).ctx)
    await agent.run({prompt: 'x', model: ''}, makeCtx({workingDir: dir, baseURL: fake.url, model: 'claude-opus-4-7'}).ctx)
    await agent.run({prompt: 'x', tools: []}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    const models = fake.messageRequests().map(r => r.body.model)
    assert.equal(models, ['claude-haiku-4-5', 'claude-opus-4-7', DEFAULT_MODEL])
    assert.is(fake.messageRequests()[2].body.tools, undefined)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('preflight names ANTHROPIC_API_KEY and the working directory .env', () => {
  const msg = agent.preflight?.({env: {ANTHROPIC_API_KEY: '  '}, workingDir: '/work/proj'})
  assert.type(msg, 'string')
  assert.match(msg as string, 'ANTHROPIC_API_KEY')
  assert.match(msg as string, '/work/proj/.env')
  assert.is(agent.preflight?.({env: {ANTHROPIC_API_KEY: 'k'}, workingDir: '/w'}), undefined)
})

test('price table: dated ids match their alias, unknown models have no price', () => {
  assert.equal(priceOf('claude-sonnet-4-5-20250929'), priceOf('claude-sonnet-4-5'))
  assert.equal(priceOf('claude-opus-4-5-20251101')?.input, 5)
  assert.is(priceOf('gpt-9'), undefined)
  assert.is(costOf(DEFAULT_MODEL, {inputTokens: 1_000_000, outputTokens: 1_000_000, cacheCreationTokens: 0, cacheReadTokens: 0}), 12)
})

test('an unknown model: its cost is left out (the engine prices it, or refuses it under a USD budget), with one WARNING', async () => {
  const fake = await startFakeAnthropic([reply.text('ok')])
  const dir = tmpDir()
  try {
    const {ctx, logs, usages} = makeCtx({workingDir: dir, baseURL: fake.url})
    await agent.run({prompt: 'x', model: 'claude-custom-proxy'}, ctx)
    assert.is(usages[0].costUsd, undefined, 'never a made-up $0')
    assert.is(usages[0].model, 'claude-custom-proxy')
    assert.ok(logs.some(l => l.level === 'WARNING' && l.message.includes('No price known for model claude-custom-proxy')))
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
