// The auto reporter as CI and pipes see it: listr2's plain renderer, line by line.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {EngineEvent} from '../../src/engine/events.js'
import {createReporter} from '../../src/ui/index.js'
import {FIX_LOOP, OUTLINE, Script, capture, feed, lines} from './script.js'

// uvu runs every file in one process: listen only while this file's tests run
const rejections: unknown[] = []
const onRejection = (e: unknown) => void rejections.push(e)
test.before(() => void process.on('unhandledRejection', onRejection))
test.after(() => void process.off('unhandledRejection', onRejection))

async function show(events: EngineEvent[], paced = false): Promise<{out: string[]; err: string[]}> {
  const out = capture()
  const err = capture()
  await feed(createReporter('auto', {stdout: out.stream, stderr: err.stream, isTTY: false}), events, paced)
  return {out: lines(out.text()), err: lines(err.text())}
}

const loopRun = () =>
  new Script()
    .start(OUTLINE)
    .step('plan', {durationMs: 12_400, usage: {inputTokens: 15_000, outputTokens: 3_200, costUsd: 0.041}})
    .step('build', {durationMs: 3_000})
    .step('review', {durationMs: 2_000})
    .loopStart('fix_loop', 3)
    .iteration('fix_loop', 1, 3)
    .step('fix', {iteration: 1, parentId: 'fix_loop'})
    .step('rereview', {iteration: 1, parentId: 'fix_loop'})
    .iteration('fix_loop', 2, 3)
    .step('fix', {iteration: 2, parentId: 'fix_loop', usage: {inputTokens: 1_000, outputTokens: 200, costUsd: 0.01}})
    .step('rereview', {iteration: 2, parentId: 'fix_loop'})
    .loopEnd('fix_loop', 2, 'satisfied')
    .end()

const LOOP_LINES = [
  '❯ plan',
  '✔ plan (12.4s · 18.2k tok · $0.041)',
  '❯ build',
  '✔ build (3.0s)',
  '❯ review',
  '✔ review (2.0s)',
  '❯ fix_loop',
  '❯ fix_loop · attempt 1/3',
  '❯ fix · attempt 1/3',
  '✔ fix · attempt 1/3 (1.0s)',
  '❯ rereview · attempt 1/3',
  '✔ rereview · attempt 1/3 (1.0s)',
  '✔ fix_loop · attempt 1/3 (2.0s)',
  '❯ fix_loop · attempt 2/3',
  '❯ fix · attempt 2/3',
  '✔ fix · attempt 2/3 (1.0s · 1.2k tok · $0.010)',
  '❯ rereview · attempt 2/3',
  '✔ rereview · attempt 2/3 (1.0s)',
  '✔ fix_loop · attempt 2/3 (2.0s · 1.2k tok · $0.010)',
  '✔ fix_loop (2 attempts · 4.0s · 1.2k tok · $0.010)',
  '✔ run feat-42 succeeded in 21.7s · 7 steps · 19.4k tokens · $0.051',
  '  fix_loop: 2 attempts, until held',
  'logs: adw logs feat-42',
]

test('a plain run: a started and a finished line per step, then the summary', async () => {
  const s = new Script('plain-1').start([{id: 'lint'}, {id: 'test', name: 'unit tests'}]).step('lint', {durationMs: 400}).step('test', {durationMs: 2_345}).end()
  const {out, err} = await show(s.events)
  assert.equal(out, ['❯ lint', '✔ lint (0.4s)', '❯ unit tests', '✔ unit tests (2.3s)', '✔ run plain-1 succeeded in 3.0s · 2 steps', 'logs: adw logs plain-1'])
  assert.equal(err, [])
})

test('a loop with 2 iterations: attempts appear as they start, usage in the titles', async () => {
  const {out, err} = await show(loopRun().events)
  assert.equal(out, LOOP_LINES)
  assert.not.ok(out.some(l => l.includes('attempt 3/3')))
  assert.equal(err, [])
})

test('the same when the view keeps up with the engine (one event per tick)', async () => {
  const {out} = await show(loopRun().events, true)
  assert.equal(out, LOOP_LINES)
})

test('a skipped step shows its reason', async () => {
  const s = new Script()
    .start(OUTLINE)
    .step('plan')
    .step('build')
    .step('review')
    .step('fix_loop', {status: 'skipped', reason: 'steps.review.outputs.verdict != "PASS" is false'})
    .end()
  const {out} = await show(s.events)
  assert.ok(out.includes('↓ fix_loop [SKIPPED: steps.review.outputs.verdict != "PASS" is false]'), out.join('\n'))
  assert.equal(out.at(-2), '✔ run feat-42 succeeded in 3.3s · 3 steps')
})

test('a skipped loop reported by loop:end, and a skipped plain step', async () => {
  const s = new Script().start([{id: 'a'}, {id: 'b'}, FIX_LOOP]).step('a').step('b', {status: 'skipped', reason: 'reused from an earlier run'}).loopEnd('fix_loop', 0, 'skipped', 'review passed').end()
  const {out} = await show(s.events)
  // No ❯ for a step or loop that never started: only its ↓ line.
  assert.equal(out.slice(0, 4), ['❯ a', '✔ a (1.0s)', '↓ b [SKIPPED: reused from an earlier run]', '↓ fix_loop [SKIPPED: review passed]'])
})

test('a failure: in order on stdout (one stream), no ❯ for steps that never started, the resume hint', async () => {
  const s = new Script()
    .start(OUTLINE)
    .step('plan')
    .step('build', {status: 'failed', durationMs: 4_100, error: 'command exited with code 2\nmore detail'})
    .end('failed', 'step build failed: command exited with code 2')
  const {out, err} = await show(s.events)
  assert.equal(err, [])
  assert.equal(out, [
    '❯ plan',
    '✔ plan (1.0s)',
    '❯ build',
    '✖ build (4.1s) [FAILED: command exited with code 2]',
    '↓ review [SKIPPED: not run]',
    '↓ fix_loop [SKIPPED: not run]',
    '✖ run feat-42 failed after 5.4s · 2 steps: step build failed: command exited with code 2',
    'logs: adw logs feat-42',
    'resume: adw run --resume --adw-id feat-42',
  ])
})

test('a step failing inside a loop fails its attempt and the loop', async () => {
  const s = new Script()
    .start([FIX_LOOP])
    .loopStart('fix_loop', 3)
    .iteration('fix_loop', 1, 3)
    .step('fix', {iteration: 1, status: 'failed', error: 'boom'})
    .loopEnd('fix_loop', 1, 'failed', 'step fix failed')
    .end('failed', 'step fix failed: boom')
  const {out, err} = await show(s.events)
  assert.equal(err, [])
  const failed = out.filter(l => l.startsWith('✖'))
  assert.equal(failed.slice(0, 3), ['✖ fix · attempt 1/3 (1.0s) [FAILED: boom]', '✖ fix_loop · attempt 1/3 (1.0s) [FAILED: fix step failed]', '✖ fix_loop (1 attempt · 1.0s) [FAILED: step fix failed]'])
  assert.ok(out.includes('↓ rereview · attempt 1/3 [SKIPPED: not run]'))
})

test('an exhausted loop: ✔ when the run goes on (onExhausted: continue), ✖ when the run fails right after', async () => {
  const FIX_LOOP2 = {...FIX_LOOP, loop: {...FIX_LOOP.loop!, maxAttempts: 2}}
  const MSG = 'Loop fix_loop exhausted: 2 attempt(s) without steps.rereview.outputs.verdict == "PASS"'
  const run = (then: (s: Script) => Script) => {
    const s = new Script().start([FIX_LOOP2, {id: 'report'}]).loopStart('fix_loop', 2)
    for (const i of [1, 2]) s.iteration('fix_loop', i, 2).step('fix', {iteration: i}).step('rereview', {iteration: i})
    return then(s.loopEnd('fix_loop', 2, 'exhausted', MSG).log('fix_loop', 'WARNING', `${MSG}; continuing`))
  }
  const a = await show(run(s => s.step('report').end()).events)
  assert.ok(a.out.includes('✔ fix_loop (2/2 attempts, exhausted · 4.0s)'), a.out.join('\n'))
  assert.ok(a.out.includes('✔ report (1.0s)'))
  assert.equal(a.err, [])
  const b = await show(run(s => s.end('failed', MSG)).events)
  assert.equal(b.err, [])
  assert.ok(b.out.includes(`✖ fix_loop (2/2 attempts, exhausted · 4.0s) [FAILED: ${MSG}]`), b.out.join('\n'))
  assert.ok(b.out.includes('↓ report [SKIPPED: not run]'))
  assert.ok(b.out.includes(`✖ run feat-42 failed after 4.3s · 4 steps: ${MSG}`), b.out.join('\n'))
})

test('a loop reported failed by loop:end fails the group with its reason', async () => {
  const s = new Script().start([FIX_LOOP]).loopStart('fix_loop', 3).iteration('fix_loop', 1, 3).step('fix', {iteration: 1}).step('rereview', {iteration: 1})
  const b = await show(s.loopEnd('fix_loop', 1, 'cancelled').end('cancelled', 'cancelled').events)
  assert.equal(b.err, [])
  assert.ok(b.out.includes('✖ fix_loop (1 attempt · 2.0s) [FAILED: cancelled]'), b.out.join('\n'))
  assert.ok(b.out.includes('⚠ run feat-42 cancelled after 2.3s · 2 steps'), b.out.join('\n'))
})

test('progress lines show under the running step', async () => {
  const s = new Script().start([{id: 'plan'}]).step('plan', {progress: ['Read README.md\n', 'first line\nlast line of text']}).end()
  const out = capture()
  const err = capture()
  const r = createReporter('auto', {stdout: out.stream, stderr: err.stream, isTTY: false})
  const [start, begin, p1, p2, ...rest] = s.events
  r.onEvent(start)
  r.onEvent(begin)
  await new Promise(res => setTimeout(res, 20))
  r.onEvent(p1)
  await new Promise(res => setTimeout(res, 250)) // the plain renderer prints at most one progress line per 200 ms
  r.onEvent(p2)
  for (const e of rest) r.onEvent(e)
  await r.close()
  assert.equal(lines(out.text()).slice(0, 4), ['❯ plan', '› Read README.md', '› last line of text', '✔ plan (1.0s)'])
})

test('a warning log of a running step shows as its output', async () => {
  const s = new Script().start([{id: 'plan'}])
  const out = capture()
  const r = createReporter('auto', {stdout: out.stream, stderr: capture().stream, isTTY: false})
  s.events.forEach(e => r.onEvent(e))
  r.onEvent({type: 'step:start', adwId: 'feat-42', stepId: 'plan', executor: 'noop', iteration: 0, time: ''})
  await new Promise(res => setTimeout(res, 20))
  r.onEvent({type: 'log', adwId: 'feat-42', stepId: 'plan', level: 'WARNING', logType: 'error', message: 'rate limited, retrying', time: ''})
  r.onEvent({type: 'log', adwId: 'feat-42', stepId: 'plan', level: 'INFO', logType: 'output', message: 'chatter', time: ''})
  r.onEvent({type: 'step:end', adwId: 'feat-42', stepId: 'plan', iteration: 0, status: 'succeeded', durationMs: 5, time: ''})
  await r.close()
  assert.equal(lines(out.text()).slice(0, 3), ['❯ plan', '› ⚠ rate limited, retrying', '✔ plan (0.0s)'])
})

test('robust: unknown steps, bad iterations, duplicates and events after the end are ignored', async () => {
  const s = new Script().start([{id: 'a'}, FIX_LOOP])
  const extra: EngineEvent[] = [
    {type: 'step:start', adwId: 'feat-42', stepId: 'ghost', executor: 'x', iteration: 0, time: ''},
    {type: 'step:progress', adwId: 'feat-42', stepId: 'ghost', iteration: 0, text: 'boo', time: ''},
    {type: 'step:end', adwId: 'feat-42', stepId: 'ghost', iteration: 0, status: 'failed', durationMs: 1, error: 'x', time: ''},
    {type: 'step:end', adwId: 'feat-42', stepId: 'fix', iteration: 9, status: 'failed', durationMs: 1, error: 'x', time: ''},
    {type: 'loop:iteration', adwId: 'feat-42', stepId: 'nope', iteration: 1, maxAttempts: 1, time: ''},
    {type: 'log', adwId: 'feat-42', level: 'ERROR', logType: 'error', message: 'no step', time: ''},
  ]
  s.events.push(...extra)
  s.step('a').step('a', {status: 'failed', error: 'second end of a is ignored'}).step('fix_loop', {status: 'skipped', reason: 'not needed'}).end()
  s.events.splice(1, 0, s.events[0]) // a second run:start
  s.events.push({type: 'step:end', adwId: 'feat-42', stepId: 'a', iteration: 0, status: 'failed', durationMs: 1, time: ''})
  const {out, err} = await show(s.events)
  assert.equal(err, [])
  assert.equal(out.slice(0, 3), ['❯ a', '✔ a (1.0s)', '↓ fix_loop [SKIPPED: not needed]'])
  assert.not.ok(out.join('\n').includes('ghost'))
})

test('close() resolves when the run ended early, or never started', async () => {
  const s = new Script().start(OUTLINE).step('plan').loopStart('fix_loop', 3).iteration('fix_loop', 1, 3).step('fix', {iteration: 1})
  const {out} = await show(s.events)
  assert.ok(out.includes('↓ build [SKIPPED: not run]'))
  assert.ok(out.includes('↓ rereview · attempt 1/3 [SKIPPED: not run]'))
  assert.equal(out.at(-2), '✖ run feat-42 stopped before it finished · 2 steps')
  const none = await show([])
  assert.equal(none, {out: [], err: []})
})

test('CI set: the plain renderer even on a TTY', async () => {
  const saved = process.env.CI
  process.env.CI = 'true'
  try {
    const out = capture()
    const s = new Script().start([{id: 'a'}]).step('a').end()
    await feed(createReporter('auto', {stdout: out.stream, stderr: capture().stream, isTTY: true}), s.events)
    assert.equal(lines(out.text()).slice(0, 2), ['❯ a', '✔ a (1.0s)'])
  } finally {
    if (saved === undefined) delete process.env.CI
    else process.env.CI = saved
  }
})

test('10,000 steps: every one drawn, in order', async () => {
  const n = 10_000
  const s = new Script().start(Array.from({length: n}, (_, i) => ({id: `s${i}`})))
  for (let i = 0; i < n; i++) s.step(`s${i}`, {progress: ['working']})
  s.end()
  const out = capture()
  const r = createReporter('auto', {stdout: out.stream, stderr: capture().stream, isTTY: false})
  for (const e of s.events) r.onEvent(e)
  await r.close()
  const l = lines(out.text())
  assert.equal(l.length, 2 * n + 2)
  assert.equal(l.at(-3), `✔ s${n - 1} (1.0s)`)
})

test('no unhandled rejections', () => {
  assert.equal(rejections, [])
})

test.run()
