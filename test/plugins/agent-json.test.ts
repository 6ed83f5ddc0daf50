import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {agent} from '../../src/plugins/agent.js'
import {extractJson} from '../../src/plugins/agent/output.js'
import {lastMessageText, reply, startFakeAnthropic, systemOf} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {makeCtx} from './agent.helpers.js'

const VERDICT = {
  type: 'object',
  required: ['verdict', 'issues'],
  properties: {verdict: {enum: ['PASS', 'FAIL']}, issues: {type: 'array', items: {type: 'string'}}},
}

test('extractJson: bare, fenced, embedded; arrays and prose are refused', () => {
  assert.equal(extractJson('{"a":1}'), {ok: true, value: {a: 1}})
  assert.equal(extractJson('Review done.\n```json\n{"verdict":"PASS"}\n```\nBye'), {ok: true, value: {verdict: 'PASS'}})
  assert.equal(extractJson('Result: {"x": [1, 2]} — end'), {ok: true, value: {x: [1, 2]}})
  assert.equal(extractJson('[1,2]'), {ok: false, problem: 'the JSON is an array, not an object'})
  assert.equal(extractJson('All good!'), {ok: false, problem: 'the answer contains no JSON object'})
  assert.is(extractJson('{verdict: PASS}').ok, false)
})

test('output: json with a fenced answer becomes the outputs; the schema is in the system prompt', async () => {
  const fake = await startFakeAnthropic([reply.json({verdict: 'PASS', issues: []}, {fenced: true})])
  const dir = tmpDir()
  try {
    const result = await agent.run({prompt: 'review', output: 'json', schema: VERDICT}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    assert.equal(result?.outputs, {verdict: 'PASS', issues: []})
    assert.match(systemOf(fake.messageRequests()[0]), '"verdict"')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('invalid JSON gets one corrective turn, then the corrected answer is used', async () => {
  const fake = await startFakeAnthropic([reply.text('The review passed, everything looks fine.'), reply.json({verdict: 'FAIL', issues: ['no tests']})])
  const dir = tmpDir()
  try {
    const {ctx, logs, usages} = makeCtx({workingDir: dir, baseURL: fake.url})
    const result = await agent.run({prompt: 'review', output: 'json', schema: VERDICT}, ctx)
    assert.equal(result?.outputs, {verdict: 'FAIL', issues: ['no tests']})
    const second = fake.messageRequests()[1]
    assert.is(second.body.messages.length, 3)
    assert.match(lastMessageText(second), 'Your final answer could not be used: the answer contains no JSON object.')
    assert.ok(logs.some(l => l.level === 'WARNING' && l.message.includes('asking the model once to correct it')))
    assert.is(usages.length, 2)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('a schema mismatch twice fails the step with a clear message', async () => {
  const fake = await startFakeAnthropic([reply.json({verdict: 'MAYBE'}), reply.json({verdict: 'MAYBE', issues: []})])
  const dir = tmpDir()
  try {
    const err = await agent.run({prompt: 'review', output: 'json', schema: VERDICT}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx).then(
      () => undefined,
      e => e as Error,
    )
    assert.ok(err, 'the step fails')
    assert.match(err!.message, "The agent's final answer is not the JSON the step asks for, even after a corrective turn")
    assert.match(err!.message, '/verdict must be equal to one of the allowed values (PASS, FAIL)')
    assert.match(lastMessageText(fake.messageRequests()[1]), "must have required property 'issues'")
    assert.is(fake.messageRequests().length, 2)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('maxTurns stops a model that never stops calling tools', async () => {
  const fake = await startFakeAnthropic(() => reply.tool('Glob', {pattern: '*'}))
  const dir = tmpDir()
  try {
    const err = await agent.run({prompt: 'loop', maxTurns: 3}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx).catch(e => e as Error)
    assert.match((err as Error).message, 'used all 3 turns (maxTurns)')
    assert.is(fake.messageRequests().length, 3)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
