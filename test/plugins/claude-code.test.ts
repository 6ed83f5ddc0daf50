import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {claudeCode} from '../../src/plugins/claude-code.js'
import {FAKE_DIR, makeCtx} from './claude-code.helpers.js'

test('success: runs in the working dir, streams logs, reports usage once, returns outputs', async () => {
  const ctx = makeCtx({scenario: 'success'})
  const result = await claudeCode.run({prompt: 'Create hello.txt'}, ctx)
  assert.is(readFileSync(join(ctx.workingDir, 'hello.txt'), 'utf8'), 'hello from fake claude\n')
  assert.equal(result?.outputs, {text: 'Created hello.txt', sessionId: 'sess-fake-0001', numTurns: 3, costUsd: 0.0123})
  assert.equal(ctx.usages, [{inputTokens: 120, outputTokens: 45, cacheCreationTokens: 300, cacheReadTokens: 2000, costUsd: 0.0123, model: 'claude-fake-1'}])
  assert.is(result?.usage, undefined, 'usage goes through reportUsage only')

  const init = ctx.rows.find(r => r.type === 'state_change' && r.level === 'INFO')
  assert.ok(init, 'a state_change row for system/init')
  assert.match(init.message, 'sess-fake-0001')
  assert.equal(init.details.tools, ['Read', 'Write', 'Edit', 'Bash'])

  const calls = ctx.rows.filter(r => r.type === 'tool_call').map(r => `${r.level} ${r.message}`)
  assert.equal(calls, [
    'INFO Write hello.txt',
    'INFO Write hello.txt → ok (' + `File created successfully at: ${join(ctx.workingDir, 'hello.txt')}`.length + ' chars)',
    'INFO Bash npm test',
    'WARNING Bash npm test → error: Error: no test specified',
  ])
  const outputs = ctx.rows.filter(r => r.type === 'output' && r.level === 'INFO').map(r => r.message)
  assert.equal(outputs, ['Working on: Create hello.txt\nI will create hello.txt.', 'Done.\nCreated hello.txt'])
  assert.ok(ctx.rows.some(r => r.type === 'performance' && /3 turns/.test(r.message)))
  assert.ok(ctx.progressed.some(p => p.text === 'Write hello.txt'))
  assert.is(ctx.progressed.at(-1)?.text, 'Created hello.txt', 'progress shows the last line of text')
  assert.not.ok(JSON.stringify(ctx.rows).includes(process.env.HOME ?? '\u0000'), 'the environment is never logged')
})

test('argv: fixed flags, then options, then -- and the prompt as one untouched element', async () => {
  const prompt = `/plan add login "quoted" $(touch pwned) \`id\` -x\nsecond line`
  const ctx = makeCtx({scenario: 'success'})
  await claudeCode.run({prompt, maxTurns: 5, permissionMode: 'acceptEdits', allowedTools: ['Edit', 'Bash(npm test:*)'], args: ['--add-dir', '../lib']}, ctx)
  assert.equal(ctx.argv(), [
    '-p', '--output-format', 'stream-json', '--verbose',
    '--max-turns', '5', '--permission-mode', 'acceptEdits',
    '--allowedTools', 'Edit', 'Bash(npm test:*)', 'Read', 'Glob', 'Grep', 'Bash',
    '--add-dir', '../lib',
    '--', prompt,
  ])
  assert.not.ok(existsSync(join(ctx.workingDir, 'pwned')), 'no shell ran the prompt')
})

test('model: with.model beats the run model; the run model is used otherwise; none lets claude choose', async () => {
  let ctx = makeCtx({model: 'run-model'})
  await claudeCode.run({prompt: 'x', model: 'step-model'}, ctx)
  assert.equal(ctx.argv().slice(4, 6), ['--model', 'step-model'])
  assert.is(ctx.usages[0].model, 'step-model')
  ctx = makeCtx({model: 'run-model'})
  await claudeCode.run({prompt: 'x', model: ''}, ctx)
  assert.equal(ctx.argv().slice(4, 6), ['--model', 'run-model'])
  ctx = makeCtx()
  await claudeCode.run({prompt: 'x'}, ctx)
  assert.not.ok(ctx.argv().includes('--model'))
})

test('agent-shaped options: system, tools, maxTurns, maxTokens and ADW_CLAUDE_PERMISSION_MODE map to claude', async () => {
  const ctx = makeCtx({env: {ADW_CLAUDE_PERMISSION_MODE: 'plan'}})
  await claudeCode.run({prompt: 'Plan it', system: 'Be terse.', tools: ['Read', 'Glob', 'Grep'], maxTurns: 20}, ctx)
  assert.equal(ctx.argv(), [
    '-p', '--output-format', 'stream-json', '--verbose',
    '--max-turns', '20', '--permission-mode', 'plan',
    '--append-system-prompt', 'Be terse.',
    '--tools', 'Read,Glob,Grep',
    '--allowedTools', 'Read', 'Glob', 'Grep',
    '--', 'Plan it',
  ])
  const envFile = join(ctx.workingDir, 'env.json')
  const seen = makeCtx({env: {FAKE_CLAUDE_ENV_FILE: envFile, CLAUDECODE: '1'}})
  await claudeCode.run({prompt: 'x', maxTokens: 8000, tools: ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'WebFetch']}, seen)
  const argv = seen.argv()
  assert.is(argv[argv.indexOf('--tools') + 1], 'Read,Write,Edit,NotebookEdit,Glob,Grep,Bash,WebFetch')
  assert.not.ok(argv.includes('--disallowedTools'), 'nothing disallowed unless the step says so')
  assert.equal(JSON.parse(readFileSync(envFile, 'utf8')), {CLAUDECODE: null, CLAUDE_CODE_MAX_OUTPUT_TOKENS: '8000', CLAUDE_CODE_MAX_RETRIES: '5', ADW_ID: 'cc-test', ADW_STEP: 'step'})
})

test('output: json merges the JSON object of the final answer into outputs (review verdicts)', async () => {
  const ctx = makeCtx({scenario: 'json-review'})
  const result = await claudeCode.run({prompt: 'Review', output: 'json'}, ctx)
  assert.is(result?.outputs?.verdict, 'FAIL')
  assert.equal(result?.outputs?.issues, ['missing test for login'])
  assert.match(String(result?.outputs?.text), 'Here is my review')
  assert.is(result?.outputs?.sessionId, 'sess-fake-0001')
  const argv = ctx.argv()
  assert.match(argv[argv.indexOf('--append-system-prompt') + 1], 'your final message must be a single JSON object')
})

test('output: json with a schema goes through --json-schema: the validated answer becomes the outputs', async () => {
  const ctx = makeCtx({scenario: 'json-review'})
  const schema = {type: 'object', required: ['verdict'], properties: {verdict: {enum: ['PASS', 'FAIL']}}}
  const result = await claudeCode.run({prompt: 'Review', output: 'json', schema, system: 'Be strict.'}, ctx)
  assert.is(result?.outputs?.verdict, 'FAIL')
  assert.equal(result?.outputs?.issues, ['missing test for login'])
  const argv = ctx.argv()
  assert.equal(JSON.parse(argv[argv.indexOf('--json-schema') + 1]), schema)
  assert.is(argv[argv.indexOf('--append-system-prompt') + 1], 'Be strict.', 'no JSON instructions: Claude Code enforces the schema itself')
})

test('output: json gets one corrective turn in the same session (--resume), like the agent', async () => {
  const ctx = makeCtx({scenario: 'json-fix'})
  // An older CLI, without --json-schema (adw reads each binary's --help once).
  writeFileSync(join(ctx.workingDir, 'old-claude'), `#!/bin/sh\nFAKE_CLAUDE_OLD=1 exec "${process.execPath}" "${join(FAKE_DIR, 'claude')}" "$@"\n`)
  chmodSync(join(ctx.workingDir, 'old-claude'), 0o755)
  const schema = {type: 'object', required: ['verdict'], properties: {verdict: {enum: ['PASS', 'FAIL']}}}
  const result = await claudeCode.run({prompt: 'Review', output: 'json', schema, binary: './old-claude'}, ctx)
  assert.is(result?.outputs?.verdict, 'PASS')
  assert.equal(result?.outputs?.issues, [])
  const argv = ctx.argv()
  assert.not.ok(argv.includes('--json-schema'), 'a CLI without --json-schema gets the instructions and the corrective turn')
  assert.equal(argv.slice(4, 6), ['--resume', 'sess-fake-0001'])
  assert.match(argv.at(-1)!, 'Your final answer could not be used')
  assert.ok(ctx.rows.some(r => r.level === 'WARNING' && /asking Claude Code once to correct it/.test(r.message)))
  assert.is(ctx.usages.length, 2, 'each claude process reports its own cost')
})

test('output: json without a JSON object, even after the correction, fails with what was received', async () => {
  const ctx = makeCtx({scenario: 'success'})
  try {
    await claudeCode.run({prompt: 'x', output: 'json'}, ctx)
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, "Claude Code's final answer is not the JSON the step asks for (output: json)")
    assert.match((e as Error).message, 'Received: Created hello.txt')
  }
})

test('garbage lines are logged at WARNING and the step still succeeds', async () => {
  const ctx = makeCtx({scenario: 'garbage-line'})
  const result = await claudeCode.run({prompt: 'x'}, ctx)
  assert.is(result?.outputs?.text, 'fine')
  const warnings = ctx.rows.filter(r => r.level === 'WARNING' && r.type === 'output').map(r => r.message)
  assert.equal(warnings, ['Unparseable line from claude: this is not json', 'Unparseable line from claude: [1, 2]'])
  assert.ok(ctx.rows.some(r => r.level === 'DEBUG' && r.message === 'claude event mystery_event'))
})

test('lines are handled as they arrive, not at exit', async () => {
  const ctx = makeCtx({scenario: 'slow-lines'})
  const result = await claudeCode.run({prompt: 'x'}, ctx)
  const end = Date.now()
  assert.is(result?.outputs?.text, 'slow done')
  const first = ctx.progressed.find(p => p.text === 'step 1')
  assert.ok(first && end - first.at >= 500, `first progress came ${first ? end - first.at : '?'} ms before the end`)
})

test.run()
