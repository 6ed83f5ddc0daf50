// Spans of a parallel fan-out, through the real CLI, the real SDK against the fake Messages API and
// the local OTLP receiver: every item's run (and each retried attempt) has its own span under the
// fan-out's, and each model and tool call lies under the item and attempt that made it, although
// the items' calls interleave (log events carry the item index and attempt).
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {startOtlpReceiver, type ReceivedSpan} from '../helpers/otlp-receiver.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const PIPELINE = `name: fan
steps:
  - id: list
    uses: noop
    with: {outputs: {items: [a, b, c]}}
  - id: each
    forEach: steps.list.outputs.items
    uses: agent
    retry: {maxAttempts: 2, on: [server], backoff: {initial: 10ms}}
    with: {prompt: "Do item {{item}}", model: claude-sonnet-5-5, tools: [Read]}
`

/** Item i's calls report 1000·(i+1) input tokens (+1 on its last call), so each span's tokens say whose call it was. */
const use = (i: number, last = 0) => ({usage: {input_tokens: 1000 * (i + 1) + last, output_tokens: 10}})

test('a parallel forEach: item and attempt spans under the fan-out, each call under the item and attempt that made it', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE, 'a.txt': 'a\n'}, 'adw-otel-fan-')
  // Item a is slow (its stream trickles), so b's and c's calls come while a's step runs; b's first
  // attempt reads a file, then fails (500, not retried by the SDK) and its retry answers.
  const fake = await startFakeAnthropic(
    routeByPrompt({
      'Do item a': [reply.tool('Read', {file_path: 'a.txt'}, 'Reading a.', {...use(0), delayMs: 60}), reply.text('a done', {...use(0, 1), delayMs: 60})],
      'Do item b': [reply.tool('Read', {file_path: 'a.txt'}, 'Reading b.', use(1)), reply.error(500, {retry: false}), reply.text('b done', use(1, 1))],
      'Do item c': [reply.tool('Read', {file_path: 'a.txt'}, 'Reading c.', use(2)), reply.text('c done', use(2, 1))],
    }),
  )
  const otlp = await startOtlpReceiver()
  try {
    const db = join(dir, 'x.db')
    const r = await adw(['run', 'p.yaml', '--adw-id', 'of1', '--db', 'x.db'], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const spans = otlp.spans()
    const byId = new Map(spans.map(s => [s.spanId, s]))
    const run = spans.find(s => s.name === 'run fan')!
    const fan = spans.filter(s => s.name === 'forEach each')
    assert.is(fan.length, 1, 'one fan-out span')
    assert.is(fan[0].parentSpanId, run.spanId)
    assert.is(fan[0].attributes['adw.step.items'], 3)
    assert.is(fan[0].attributes['adw.status'], 'succeeded')

    // One span per item run, attempts apart, all under the fan-out, as the steps rows say.
    const itemSpans = spans.filter(s => s.name === 'invoke_agent each')
    const key = (s: ReceivedSpan) => `${s.attributes['adw.step.index']}/${s.attributes['adw.step.attempt']}:${s.attributes['adw.status']}`
    assert.equal(itemSpans.map(key).sort(), ['0/1:succeeded', '1/1:failed', '1/2:succeeded', '2/1:succeeded'])
    assert.ok(itemSpans.every(s => s.parentSpanId === fan[0].spanId))
    const stepRows = rows(db, "SELECT item_index, attempt, input_tokens FROM steps WHERE step_id = 'each' ORDER BY id")
    assert.equal(stepRows.map(s => `${s.item_index}/${s.attempt}`).sort(), ['0/1', '1/1', '1/2', '2/1'])
    // The calls interleaved: item a's step was still running when c's calls were made.
    const span = (index: number, attempt: number) => itemSpans.find(s => s.attributes['adw.step.index'] === index && s.attributes['adw.step.attempt'] === attempt)!
    assert.ok(span(2, 1).endMs < span(0, 1).endMs, 'item c ended while item a ran')

    // Every call under the item run that made it: its tokens are that item's, and sum to the row's.
    const chats = spans.filter(s => s.attributes['gen_ai.operation.name'] === 'chat')
    const tools = spans.filter(s => s.attributes['gen_ai.operation.name'] === 'execute_tool')
    assert.is(chats.length, 6, 'a: 2 calls, b: 1 per attempt (the 500 reported no usage), c: 2')
    for (const c of chats) {
      const parent = byId.get(c.parentSpanId!)!
      const index = Number(parent.attributes['adw.step.index'])
      assert.is(parent.name, 'invoke_agent each', `${c.name} is under an item span`)
      assert.is(Math.floor(Number(c.attributes['gen_ai.usage.input_tokens']) / 1000), index + 1, `a call of item ${index} (${c.attributes['gen_ai.usage.input_tokens']} tokens)`)
    }
    for (const row of stepRows) {
      const mine = chats.filter(c => c.parentSpanId === span(row.item_index, row.attempt).spanId)
      assert.is(mine.reduce((n, c) => n + Number(c.attributes['gen_ai.usage.input_tokens']), 0), row.input_tokens, `item ${row.item_index} attempt ${row.attempt}: its calls' tokens = its row`)
    }
    assert.equal(chats.filter(c => c.parentSpanId === span(1, 1).spanId).length, 1, "b's failed attempt: its one call")
    assert.is(tools.length, 3, 'a, c and the first attempt of b each read a file')
    assert.equal(tools.map(t => byId.get(t.parentSpanId!)!).map(p => `${p.name} ${p.attributes['adw.step.index']}/${p.attributes['adw.step.attempt']}`).sort(), ['invoke_agent each 0/1', 'invoke_agent each 1/1', 'invoke_agent each 2/1'])

    // adw trace rebuilds the fan-out from the store: its span, and one per item run and attempt under it.
    const again = await startOtlpReceiver()
    try {
      const t = await adw(['trace', 'of1', '--otlp', again.url, '--db', 'x.db'], {cwd: dir})
      assert.is(t.exitCode, 0, t.stderr)
      const replayed = again.spans()
      const [fanAgain] = replayed.filter(s => s.name === 'forEach each')
      assert.is(fanAgain.attributes['adw.step.items'], 3)
      assert.is(fanAgain.attributes['adw.status'], 'succeeded')
      const items = replayed.filter(s => s.name === 'invoke_agent each')
      assert.equal(items.map(key).sort(), ['0/1:succeeded', '1/1:failed', '1/2:succeeded', '2/1:succeeded'])
      assert.ok(items.every(s => s.parentSpanId === fanAgain.spanId))
    } finally {
      await again.close()
    }
  } finally {
    await fake.close()
    await otlp.close()
    rmDir(dir)
  }
})

test.run()
