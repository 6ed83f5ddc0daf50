import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {agent} from '../../src/plugins/agent.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {makeCtx, toolResults} from './agent.helpers.js'

// Grep matches in linear time (RE2). With JavaScript's backtracking RegExp, `^(a+)+$` on 28 × "a"
// and a "!" held the event loop for ~16 s: no timeout, no Ctrl-C, no heartbeat in that time.

const EVIL = 'a'.repeat(28) + '!'

test('the ReDoS pattern ^(a+)+$ returns at once (linear time), and still finds real matches', async () => {
  // Only the 29-character line of the report: were backtracking back, this test fails after ~16 s
  // rather than hanging on a longer line for years.
  const dir = tmpDir({'evil.txt': `${EVIL}\n`, 'good.txt': 'aaaa\nbbb\n'})
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Grep', input: {pattern: '^(a+)+$', path: 'evil.txt'}},
      {name: 'Grep', input: {pattern: '^(a+)+$'}},
      {name: 'Grep', input: {pattern: '(?<=b)b\\b'}},
    ]),
    reply.text('searched'),
  ])
  try {
    const started = Date.now()
    await agent.run({prompt: 'search'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    // Generous for a shared, loaded machine: backtracking took ~16 s here; RE2 takes milliseconds.
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
    const r = toolResults(fake.messageRequests()[1].body)
    assert.is(r[0].content, 'No matches found.')
    assert.is(r[1].content, 'good.txt:1: aaaa')
    assert.is(r[2].content, 'good.txt:2: bbb', 'lookbehinds work (linear-time in RE2JS)')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('patterns RE2 cannot run (lookaheads, backreferences) and broken ones come back as clear errors', async () => {
  const dir = tmpDir({'a.txt': 'foobar\n'})
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Grep', input: {pattern: 'foo(?=bar)'}},
      {name: 'Grep', input: {pattern: 'foo(?!baz)'}},
      {name: 'Grep', input: {pattern: '(o)\\1'}},
      {name: 'Grep', input: {pattern: '(?<c>o)\\k<c>'}},
      {name: 'Grep', input: {pattern: '[unclosed'}},
      {name: 'Grep', input: {pattern: '[(?=o]bar|\\\\1'}},
    ]),
    reply.text('ok'),
  ])
  try {
    await agent.run({prompt: 'search'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    const r = toolResults(fake.messageRequests()[1].body)
    assert.equal(r.map((x: any) => Boolean(x.is_error)), [true, true, true, true, true, false])
    for (const [i, what] of [[0, 'a lookahead ((?=...)'], [1, 'a lookahead ((?!...)'], [2, 'a backreference (\\1)'], [3, 'a named backreference (\\k<name>)']] as const) {
      assert.match(r[i].content, 'Unsupported regular expression: Grep uses RE2 syntax (linear-time matching)')
      assert.match(r[i].content, `the pattern has ${what}`)
    }
    assert.match(r[4].content, 'Invalid regular expression (Grep uses RE2 syntax): missing closing ]')
    // "(?=" inside a class and an escaped backslash before 1 are plain characters.
    assert.is(r[5].content, 'a.txt:1: foobar')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
