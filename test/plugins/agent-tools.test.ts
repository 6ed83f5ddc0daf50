import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {agent} from '../../src/plugins/agent.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {makeCtx, TEST_KEY, toolResults} from './agent.helpers.js'

test('a tool loop writes and edits real files and resends the full conversation each turn', async () => {
  const dir = tmpDir({'src/app.js': 'export const greet = () => "hi"\n'})
  const fake = await startFakeAnthropic([
    reply.tool('Glob', {pattern: '**/*.js'}, 'Looking around.'),
    reply.tool('Read', {file_path: 'src/app.js'}),
    reply.tools([
      {name: 'Edit', input: {file_path: 'src/app.js', old_string: '"hi"', new_string: '"hello $&"'}},
      {name: 'Write', input: {file_path: 'docs/NOTES.md', content: '# Notes\n'}},
    ]),
    reply.tool('Grep', {pattern: 'hello', glob: '*.js'}),
    reply.text('Changed the greeting and wrote notes.'),
  ])
  try {
    const {ctx, logs} = makeCtx({workingDir: dir, baseURL: fake.url})
    const result = await agent.run({prompt: 'Improve the greeting'}, ctx)
    assert.equal(result?.outputs, {text: 'Changed the greeting and wrote notes.'})
    // The one line in the step's title: the files the agent changed.
    assert.is(result?.summary, 'changed src/app.js, docs/NOTES.md')
    assert.is(readFileSync(join(dir, 'src/app.js'), 'utf8'), 'export const greet = () => "hello $&"\n')
    assert.is(readFileSync(join(dir, 'docs/NOTES.md'), 'utf8'), '# Notes\n')

    const reqs = fake.messageRequests()
    assert.is(reqs.length, 5)
    // Each request resends everything: prompt, then assistant/user pairs.
    assert.equal(reqs.map(r => r.body.messages.length), [1, 3, 5, 7, 9])
    assert.is(reqs[4].body.messages[0].content, 'Improve the greeting')
    assert.equal(reqs[0].body.messages[0].content, [{type: 'text', text: 'Improve the greeting', cache_control: {type: 'ephemeral'}}])
    assert.is(toolResults(reqs[1].body)[0].content, 'src/app.js')
    assert.match(toolResults(reqs[2].body)[0].content, /^ {5}1\texport const greet/)
    assert.equal(toolResults(reqs[3].body).map((r: any) => r.is_error), [undefined, undefined])
    assert.match(toolResults(reqs[4].body)[0].content, 'src/app.js:1: export const greet = () => "hello $&"')
    // The moving cache breakpoint sits on the newest block only.
    const marks = JSON.stringify(reqs[4].body.messages).split('cache_control').length - 1
    assert.is(marks, 1)

    const calls = logs.filter(l => l.type === 'tool_call')
    assert.equal(calls.map(c => (c.details as any).tool), ['Glob', 'Read', 'Edit', 'Write', 'Grep'])
    assert.ok(calls.every(c => (c.details as any).ok === true))
    assert.equal((calls[3].details as any).input, {file_path: 'docs/NOTES.md', content: '# Notes\n'})
    assert.ok(logs.some(l => l.type === 'state_change' && l.message.includes('finished after 5 turns')))
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('path escapes are refused as tool errors and the loop goes on', async () => {
  const outside = tmpDir({'secret.txt': 'top secret'})
  const dir = tmpDir({'ok.txt': 'fine'})
  symlinkSync(outside, join(dir, 'link-out'))
  symlinkSync(join(outside, 'nope.txt'), join(dir, 'dangling'))
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Write', input: {file_path: '../escaped.txt', content: 'x'}},
      {name: 'Read', input: {file_path: '/etc/passwd'}},
      {name: 'Read', input: {file_path: 'link-out/secret.txt'}},
      {name: 'Write', input: {file_path: 'link-out/new.txt', content: 'x'}},
      {name: 'Write', input: {file_path: 'dangling', content: 'x'}},
      {name: 'Glob', input: {pattern: '../*'}},
      {name: 'Grep', input: {pattern: 'secret', path: 'link-out'}},
      {name: 'Read', input: {file_path: join(dir, 'ok.txt')}},
    ]),
    reply.text('I stayed inside.'),
  ])
  try {
    const {ctx, logs} = makeCtx({workingDir: dir, baseURL: fake.url})
    const result = await agent.run({prompt: 'Try to escape'}, ctx)
    assert.equal(result?.outputs, {text: 'I stayed inside.'})
    const results = toolResults(fake.messageRequests()[1].body)
    assert.equal(results.map((r: any) => Boolean(r.is_error)), [true, true, true, true, true, true, true, false])
    for (const r of results.slice(0, 7)) assert.match(r.content, /^Refused: /)
    assert.match(results[7].content, 'fine')
    assert.not.ok(existsSync(join(dir, '../escaped.txt')))
    assert.not.ok(existsSync(join(outside, 'new.txt')))
    assert.not.ok(existsSync(join(outside, 'nope.txt')))
    assert.is(logs.filter(l => l.type === 'tool_call' && l.level === 'WARNING').length, 7)
  } finally {
    await fake.close()
    rmDir(dir)
    rmDir(outside)
  }
})

test('Edit errors (missing text, ambiguous match) and unknown tools come back as error results', async () => {
  const dir = tmpDir({'a.txt': 'x\nx\n'})
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Edit', input: {file_path: 'a.txt', old_string: 'zzz', new_string: 'y'}},
      {name: 'Edit', input: {file_path: 'a.txt', old_string: 'x', new_string: 'y'}},
      {name: 'Edit', input: {file_path: 'a.txt', old_string: 'x', new_string: 'y', replace_all: true}},
      {name: 'Read', input: {file_path: 'missing.txt'}},
      {name: 'Teleport', input: {}},
    ]),
    reply.text('done'),
  ])
  try {
    await agent.run({prompt: 'edit'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    const r = toolResults(fake.messageRequests()[1].body)
    assert.match(r[0].content, 'old_string was not found in a.txt')
    assert.match(r[1].content, 'occurs 2 times')
    assert.is(r[2].content, 'Edited a.txt: 2 replacements.')
    assert.match(r[3].content, 'File does not exist: missing.txt')
    assert.match(r[4].content, 'Unknown tool "Teleport"')
    assert.is(readFileSync(join(dir, 'a.txt'), 'utf8'), 'y\ny\n')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('Bash runs in the working dir without the API key; non-zero exit is an error result; tools: limits the set', async () => {
  const dir = tmpDir()
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Bash', input: {command: 'pwd; echo "key=[$ANTHROPIC_API_KEY]"; echo out > made.txt'}},
      {name: 'Bash', input: {command: 'echo failing >&2; exit 3'}},
      {name: 'Bash', input: {command: 'sleep 30 & sleep 30; echo never', timeout: 1000}},
    ]),
    reply.text('ran'),
    reply.tool('Bash', {command: 'echo hi'}),
    reply.text('no bash'),
  ])
  try {
    const started = Date.now()
    await agent.run({prompt: 'run'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    assert.ok(Date.now() - started < 10_000, 'the timed-out group (with its background child) is killed')
    const r = toolResults(fake.messageRequests()[1].body)
    assert.match(r[0].content, 'key=[]')
    assert.not.match(r[0].content, TEST_KEY)
    assert.match(r[0].content, /Exit code 0\.$/)
    assert.ok(existsSync(join(dir, 'made.txt')))
    assert.is(r[1].is_error, true)
    assert.match(r[1].content, /failing\nExit code 3\./)
    assert.is(r[2].is_error, true)
    assert.match(r[2].content, 'Killed after 1000 ms (timeout).')

    await agent.run({prompt: 'no shell', tools: ['Read', 'Glob']}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    const req = fake.messageRequests()[2]
    assert.equal(req.body.tools.map((t: any) => t.name), ['Read', 'Glob'])
    assert.match(toolResults(fake.messageRequests()[3].body)[0].content, 'Unknown tool "Bash". Available: Read, Glob.')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
