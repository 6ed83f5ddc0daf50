// --json, --quiet and the silent reporter.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createReporter} from '../../src/ui/index.js'
import {OUTLINE, Script, capture, feed} from './script.js'

const run = () =>
  new Script()
    .start(OUTLINE)
    .step('plan', {usage: {inputTokens: 20_000, outputTokens: 11_000, costUsd: 0.12}, progress: ['Read README.md']})
    .step('build', {durationMs: 9_000})
    .step('review', {status: 'skipped', reason: 'no changes'})
    .loopStart('fix_loop', 3)
    .iteration('fix_loop', 1, 3)
    .step('fix', {iteration: 1})
    .step('rereview', {iteration: 1})
    .loopEnd('fix_loop', 1, 'satisfied')
    .end()

test('json: exactly one JSON object per line per event, nothing else', async () => {
  const s = run()
  const out = capture()
  const err = capture()
  await feed(createReporter('json', {stdout: out.stream, stderr: err.stream}), s.events)
  const text = out.text()
  assert.ok(text.endsWith('\n'))
  const rows = text.slice(0, -1).split('\n')
  assert.is(rows.length, s.events.length)
  rows.forEach((line, i) => assert.equal(JSON.parse(line), JSON.parse(JSON.stringify(s.events[i]))))
  assert.is(err.text(), '')
})

test('json: each event is written as it arrives', () => {
  const out = capture()
  const r = createReporter('json', {stdout: out.stream})
  const [first] = run().events
  r.onEvent(first)
  const written = out.stream.read()
  assert.is(written ?? out.text(), JSON.stringify(first) + '\n')
})

test('quiet: only the summary line', async () => {
  const out = capture()
  const err = capture()
  await feed(createReporter('quiet', {stdout: out.stream, stderr: err.stream}), run().events)
  assert.is(out.text(), '✔ run feat-42 succeeded in 12.3s · 4 steps · 31.0k tokens · $0.12\n')
  assert.is(err.text(), '')
})

test('quiet: a failure also writes its error to stderr', async () => {
  const s = new Script('q-2').start(OUTLINE).step('plan').step('build', {status: 'failed', error: 'exit 1'}).end('failed', 'step build failed: exit 1\n  at line 3')
  const out = capture()
  const err = capture()
  await feed(createReporter('quiet', {stdout: out.stream, stderr: err.stream}), s.events)
  assert.is(out.text(), '✖ run q-2 failed after 2.3s · 2 steps: step build failed: exit 1\n')
  assert.is(err.text(), 'Error: step build failed: exit 1\n  at line 3\n')
})

test('quiet: a cancelled run', async () => {
  const s = new Script('q-3').start(OUTLINE).step('plan', {status: 'cancelled', error: 'interrupted by SIGINT'}).end('cancelled', 'interrupted by SIGINT')
  const out = capture()
  await feed(createReporter('quiet', {stdout: out.stream, stderr: capture().stream}), s.events)
  assert.is(out.text(), '⚠ run q-3 cancelled after 1.3s · 1 step: interrupted by SIGINT\n')
})

test('silent: nothing at all', async () => {
  const out = capture()
  const err = capture()
  await feed(createReporter('silent', {stdout: out.stream, stderr: err.stream}), run().events)
  assert.is(out.text() + err.text(), '')
})

test('silent and quiet: a 10,000-step run', async () => {
  const n = 10_000
  const s = new Script().start(Array.from({length: n}, (_, i) => ({id: `s${i}`})))
  for (let i = 0; i < n; i++) s.step(`s${i}`, {progress: ['x']})
  s.end()
  for (const mode of ['silent', 'quiet'] as const) {
    const out = capture()
    const r = createReporter(mode, {stdout: out.stream, stderr: capture().stream})
    for (const e of s.events) r.onEvent(e)
    await r.close()
    assert.is(out.text(), mode === 'quiet' ? `✔ run feat-42 succeeded in 2h 46m · ${n} steps\n` : '')
  }
})

test.run()
