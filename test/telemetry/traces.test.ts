import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {startOtlpReceiver, type ReceivedSpan} from '../helpers/otlp-receiver.js'
import * as S from '../pipelines/seed.helpers.js'

/** Each span as `parent > name` with its status and token counts, sorted: what must be equal between two exports. */
const shape = (spans: ReceivedSpan[]) => {
  const names = new Map(spans.map(s => [s.spanId, s.name]))
  const keys = ['adw.status', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.request.model', 'gen_ai.tool.name', 'adw.step.iteration']
  return spans.map(s => `${names.get(s.parentSpanId ?? '') ?? '-'} > ${s.name} ${s.status.code} ${keys.map(k => s.attributes[k] ?? '').join(' ')}`).sort()
}
const byName = (spans: ReceivedSpan[], name: string) => spans.filter(s => s.name === name)
const one = (spans: ReceivedSpan[], name: string) => {
  const found = byName(spans, name)
  assert.is(found.length, 1, `one span named "${name}"; got ${found.length} among ${spans.map(s => s.name).join(', ')}`)
  return found[0]
}

test('plan-build-review-fix with the fake Messages API: the span tree, GenAI attributes, and token counts equal to the store', async () => {
  const id = 'otel-pbrf'
  const route = routeByPrompt({
    [S.STEP.plan]: S.planTurns(id),
    [S.STEP.build]: S.buildTurns(id),
    [S.STEP.review]: S.reviewTurns(S.FAIL_REVIEW),
    [S.STEP.fix]: S.fixTurns(id, 1),
    [S.STEP.rereview]: S.reviewTurns(S.PASS_REVIEW),
  })
  const fake = await startFakeAnthropic(route)
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'README.md': '# demo\n'})
  const db = join(dir, 'adw.db')
  try {
    const r = await S.runSeed('plan-build-review-fix', {adwId: id, dir, db, baseURL: fake.url, env: {OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.not.match(r.stderr, 'could not export')
    const spans = otlp.spans()
    assert.ok(otlp.requests().every(q => q.path === '/v1/traces'))

    // One trace; the run span is its root and names the service.
    const run = one(spans, 'run plan-build-review-fix')
    assert.is(run.parentSpanId, undefined)
    assert.ok(spans.every(s => s.traceId === run.traceId), 'every span is in the run trace')
    assert.is(run.resource['service.name'], 'adw')
    assert.type(run.resource['service.version'], 'string')
    assert.is(run.attributes['adw.id'], id)
    assert.is(run.attributes['adw.status'], 'succeeded')
    assert.is(run.status.code, 1) // OK

    // Steps under the run; the loop's iteration under the loop; fix and rereview under the iteration.
    const step = (name: string) => one(spans, `invoke_agent ${name}`)
    for (const s of ['plan', 'build', 'review']) assert.is(step(s).parentSpanId, run.spanId, `${s} is a child of the run`)
    const loop = one(spans, 'loop fix')
    assert.is(loop.parentSpanId, run.spanId)
    assert.is(loop.attributes['adw.loop.outcome'], 'satisfied')
    const iteration = one(spans, 'fix iteration 1')
    assert.is(iteration.parentSpanId, loop.spanId)
    for (const s of ['fix_attempt', 'rereview']) assert.is(step(s).parentSpanId, iteration.spanId, `${s} is inside iteration 1`)
    assert.is(step('plan').attributes['gen_ai.operation.name'], 'invoke_agent')
    assert.is(step('plan').attributes['adw.step.id'], 'plan')
    assert.is(step('fix_attempt').attributes['adw.step.iteration'], 1)

    // Spans follow each other in time as the steps did.
    assert.ok(step('plan').endMs <= step('build').startMs + 1, 'plan ends before build starts')
    assert.ok(step('review').endMs <= loop.startMs + 1)
    assert.ok(run.startMs <= step('plan').startMs && step('rereview').endMs <= run.endMs + 1)

    // One chat span per model call, under its step, with the store's tokens; tools under their step.
    const store = rows(db, "SELECT step_name, details FROM agent_logs WHERE adw_id = ? AND log_type = 'cost_update' AND details IS NOT NULL ORDER BY id", id).map(r => ({step: r.step_name, ...JSON.parse(r.details)}))
    const chats = spans.filter(s => s.attributes['gen_ai.operation.name'] === 'chat')
    assert.is(chats.length, store.length)
    assert.is(chats.length, fake.messageRequests().length, 'a chat span per request the fake answered')
    const stepOf = new Map(spans.map(s => [s.spanId, s]))
    const sum = (list: ReceivedSpan[], key: string) => list.reduce((n, s) => n + Number(s.attributes[key] ?? 0), 0)
    for (const name of ['plan', 'build', 'review', 'fix_attempt', 'rereview']) {
      const parent = step(name)
      const mine = chats.filter(c => c.parentSpanId === parent.spanId)
      const rowsOf = store.filter(r => r.step === name)
      assert.is(mine.length, rowsOf.length, `${name}: chat spans = cost_update rows`)
      assert.is(sum(mine, 'gen_ai.usage.input_tokens'), rowsOf.reduce((n, r) => n + r.inputTokens, 0))
      assert.is(sum(mine, 'gen_ai.usage.output_tokens'), rowsOf.reduce((n, r) => n + r.outputTokens, 0))
      const [row] = rows(db, 'SELECT input_tokens, output_tokens, cost_usd, model FROM steps WHERE adw_id = ? AND step_id = ?', id, name)
      assert.is(parent.attributes['gen_ai.usage.input_tokens'], row.input_tokens, `${name}: step span tokens = steps row`)
      assert.is(parent.attributes['gen_ai.usage.output_tokens'], row.output_tokens)
      assert.ok(Math.abs(Number(parent.attributes['adw.cost_usd']) - row.cost_usd) < 1e-9)
      for (const c of mine) {
        assert.is(c.attributes['gen_ai.request.model'], row.model)
        assert.is(c.attributes['gen_ai.provider.name'], 'anthropic')
        assert.is(c.name, `chat ${row.model}`)
        assert.is(c.kind, 3) // CLIENT
        assert.ok(c.startMs >= parent.startMs - 1 && c.endMs <= parent.endMs + 1, 'a call lies inside its step')
      }
    }
    const [totals] = rows(db, 'SELECT input_tokens, output_tokens FROM runs WHERE adw_id = ?', id)
    assert.is(run.attributes['gen_ai.usage.input_tokens'], totals.input_tokens)
    assert.is(run.attributes['gen_ai.usage.output_tokens'], totals.output_tokens)

    const tools = spans.filter(s => s.attributes['gen_ai.operation.name'] === 'execute_tool')
    const calls = rows(db, "SELECT step_name FROM agent_logs WHERE adw_id = ? AND log_type = 'tool_call' ORDER BY id", id)
    assert.is(tools.length, calls.length)
    assert.equal(tools.filter(t => stepOf.get(t.parentSpanId!)?.name === 'invoke_agent build').map(t => t.attributes['gen_ai.tool.name']).sort(), ['Bash', 'Read', 'Write'])
    assert.ok(tools.every(t => t.status.code === 1))

    // adw trace rebuilds the same tree from the store, as a new trace.
    const again = await startOtlpReceiver()
    try {
      const t = await adw(['trace', id, '--otlp', again.url, '--db', db], {cwd: dir})
      assert.is(t.exitCode, 0, t.stderr)
      assert.match(t.stdout, new RegExp(`^Exported ${spans.length} spans of run ${id} to ${again.url}/v1/traces \\(trace [0-9a-f]{32}\\)$`))
      const replayed = again.spans()
      assert.ok(replayed.every(s => s.traceId === replayed[0].traceId && s.traceId !== run.traceId))
      assert.equal(shape(replayed), shape(spans))
    } finally {
      await again.close()
    }
  } finally {
    await fake.close()
    await otlp.close()
    rmDir(dir)
  }
})

test('a failing step: its span and the run span have error status with the message; a skipped step says why', async () => {
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({
    'p.yaml': [
      'name: failing',
      'steps:',
      '  - id: skipme',
      '    if: "false"',
      '    uses: shell',
      "    with: {run: 'true'}",
      '  - id: boom',
      '    uses: shell',
      "    with: {run: 'echo nope >&2; exit 3'}",
    ].join('\n'),
  })
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'otel-fail', '--db', join(dir, 'a.db')], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
    assert.is(r.exitCode, 1, r.stderr)
    const spans = otlp.spans()
    const boom = one(spans, 'step boom')
    assert.is(boom.status.code, 2) // ERROR
    assert.match(boom.status.message ?? '', 'exit')
    assert.is(boom.attributes['adw.status'], 'failed')
    assert.is(boom.attributes['error.type'], 'failed')
    assert.ok(boom.events.some(e => e.name === 'exception'))
    const run = one(spans, 'run failing')
    assert.is(run.status.code, 2)
    assert.match(run.status.message ?? '', 'step boom failed')
    const skipped = one(spans, 'step skipme')
    assert.is(skipped.attributes['adw.status'], 'skipped')
    assert.match(String(skipped.attributes['adw.step.reason']), 'was false')
    assert.is(skipped.parentSpanId, run.spanId)
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test.run()
