import {test} from 'uvu'
import * as assert from 'uvu/assert'
import Anthropic from '@anthropic-ai/sdk'
import {execa} from 'execa'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {ROOT, rmDir, tmpDir} from '../helpers/cli.js'
import {TEST_KEY} from './agent.helpers.js'

const client = (baseURL: string) => new Anthropic({apiKey: TEST_KEY, baseURL, maxRetries: 0})

test('the fake answers non-streaming requests with a JSON message and tool calls', async () => {
  const fake = await startFakeAnthropic([reply.tool('Read', {file_path: 'a'}, 'Reading', {usage: {input_tokens: 7}})])
  try {
    const m = await client(fake.url).messages.create({model: 'claude-haiku-4-5', max_tokens: 10, messages: [{role: 'user', content: 'hi'}]})
    assert.is(m.stop_reason, 'tool_use')
    assert.equal(m.content.map(b => b.type), ['text', 'tool_use'])
    assert.equal((m.content[1] as any).input, {file_path: 'a'})
    assert.is(m.usage.input_tokens, 7)
    assert.is(fake.requests[0].stream, false)
  } finally {
    await fake.close()
  }
})

test('routeByPrompt sends each step its own replies; an unscripted request fails fast and legibly', async () => {
  const route = routeByPrompt({alpha: [reply.text('A1'), reply.text('A2')], beta: [reply.text('B1')]})
  const fake = await startFakeAnthropic(route)
  const ask = async (prompt: string) => {
    const m = await client(fake.url).messages.create({model: 'm', max_tokens: 10, messages: [{role: 'user', content: prompt}]})
    return (m.content[0] as any).text
  }
  try {
    assert.equal([await ask('alpha one'), await ask('beta'), await ask('alpha two')], ['A1', 'B1', 'A2'])
    assert.equal(route.left(), {})
    const err = await ask('gamma').catch(e => e)
    assert.is(err.status, 500)
    assert.match(err.apiMessage, 'no route matches the prompt "gamma"')
  } finally {
    await fake.close()
  }
})

test('standalone: --script file prints the URL and serves the replies', async () => {
  const dir = tmpDir()
  const script = join(dir, 'script.json')
  writeFileSync(script, JSON.stringify([{text: 'from a file'}]))
  const sub = execa(join(ROOT, 'node_modules/.bin/node'), ['--import', 'tsx', 'test/helpers/fake-anthropic.ts', '--script', script], {cwd: ROOT, reject: false, buffer: false})
  try {
    const url = await new Promise<string>(resolve => sub.stdout!.once('data', d => resolve(String(d).trim())))
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const m = await client(url).messages.create({model: 'm', max_tokens: 10, messages: [{role: 'user', content: 'x'}]})
    assert.is((m.content[0] as any).text, 'from a file')
  } finally {
    sub.kill('SIGTERM')
    await sub
    rmDir(dir)
  }
})

test.run()
