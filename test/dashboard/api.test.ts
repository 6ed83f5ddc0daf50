import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {openSqliteStore} from '../../src/store/sqlite.js'
import {call, seeded} from './helpers.js'

// Ten seeded runs, r000-a1 (oldest) … r009-b7 (newest, interrupted): see seed.ts.
let ctx: Awaited<ReturnType<typeof seeded>>
let base = ''
// Not test.before: uvu reports a failing before hook as 0 of N tests with exit code 0.
let setup: Promise<void> | undefined
const ready = () => (setup ??= seeded(10).then(c => ((ctx = c), (base = c.ui.origin), undefined)))
test.after(async () => ctx?.done())

test('GET /api/health: ok and the version', async () => {
  await ready()
  const r = await call(base, '/api/health')
  assert.is(r.status, 200)
  assert.is(r.body.ok, true)
})

test('GET /api/runs: newest first, effective status, totals, no pipeline snapshot', async () => {
  await ready()
  const r = await call(base, '/api/runs')
  assert.is(r.status, 200)
  assert.is(r.body.total, 10)
  assert.equal(r.body.runs.map((x: any) => x.adwId), [...ctx.ids].reverse())
  const newest = r.body.runs[0]
  assert.is(newest.status, 'interrupted')
  assert.is(newest.recordedStatus, 'running')
  assert.is(newest.resumeCommand, 'adw run --resume --adw-id r009-b7')
  assert.is(newest.prompt, 'Fix the flaky login test')
  const r1 = r.body.runs.find((x: any) => x.adwId === 'r001-b7')
  assert.equal(r1.steps, {total: 7, succeeded: 7, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0})
  assert.ok(r1.costUsd > 0 && r1.inputTokens > 0)
  assert.not.ok('pipeline_snapshot' in newest || 'pipelineSnapshot' in newest)
})

test('GET /api/runs: filters by status (interrupted and failed), pipeline and text; pages with offset', async () => {
  await ready()
  const ids = async (q: string) => (await call(base, `/api/runs?${q}`)).body.runs.map((x: any) => x.adwId)
  assert.equal(await ids('status=interrupted'), ['r009-b7'])
  assert.equal(await ids('status=running'), [])
  assert.equal(await ids('status=failed'), [])
  assert.equal(await ids('pipeline=check'), ['r009-b7', 'r004-a1'])
  assert.equal(await ids('pipeline=plan-build'), ['r008-a1', 'r005-b7', 'r002-c3'])
  assert.equal(await ids('q=LOGIN'), ['r009-b7', 'r001-b7'])
  assert.equal(await ids('q=r00'), [...ctx.ids].reverse())
  assert.equal(await ids('q=100%25'), [], 'a % in the text is literal, not a wildcard')
  const page = await call(base, '/api/runs?limit=3&offset=3')
  assert.equal(page.body.runs.map((x: any) => x.adwId), ['r006-c3', 'r005-b7', 'r004-a1'])
  assert.equal([page.body.total, page.body.offset, page.body.limit], [10, 3, 3])
})

test('GET /api/runs: bad parameters are 400 with a JSON error that says what is accepted', async () => {
  await ready()
  for (const [q, words] of [
    ['limit=0', /"limit" must be a whole number from 1 to 500; got "0"/],
    ['limit=ten', /"limit" must be a whole number/],
    ['offset=-1', /"offset" must be a whole number/],
    ['status=done', /"status" must be one of running, succeeded, failed, cancelled, interrupted, waiting, budget_exceeded, queued; got "done"/],
    ['sort=cost', /Unknown query parameter "sort"; this endpoint takes: status, pipeline, q, limit, offset/],
    [`q=${'x'.repeat(201)}`, /"q" is longer than 200 characters/],
  ] as const) {
    const r = await call(base, `/api/runs?${q}`)
    assert.is(r.status, 400, q)
    assert.is(r.body.error.code, 'BAD_PARAMETER')
    assert.match(r.body.error.message, words)
  }
})

test('GET /api/pipelines: every pipeline with a run, sorted', async () => {
  await ready()
  assert.equal((await call(base, '/api/pipelines')).body, {pipelines: ['check', 'plan-build', 'plan-build-review-fix']})
})

test('GET /api/runs/:id: steps in order with loop iterations, verdicts, skip reasons; 404 for an unknown id', async () => {
  await ready()
  const r = await call(base, '/api/runs/r001-b7')
  assert.is(r.status, 200)
  assert.equal(
    r.body.steps.map((s: any) => `${s.parentId ?? ''}/${s.stepId}#${s.iteration}:${s.status}`),
    ['/plan#0:succeeded', '/build#0:succeeded', '/review#0:succeeded', 'fix_loop/fix#1:succeeded', 'fix_loop/rereview#1:succeeded', 'fix_loop/fix#2:succeeded', 'fix_loop/rereview#2:succeeded'],
  )
  const review = r.body.steps.find((s: any) => s.stepId === 'review')
  assert.equal(review.outputs, {verdict: 'FAIL', issues: ['The handler does not set Cache-Control', 'No test for the 503 case']})
  assert.is(review.model, 'claude-sonnet-4-5')
  assert.ok(review.durationMs > 0)
  const skipped = (await call(base, '/api/runs/r000-a1')).body.steps.find((s: any) => s.status === 'skipped')
  assert.is(skipped.reason, 'if: steps.review.outputs.verdict != "PASS" was false')
  const missing = await call(base, '/api/runs/nope')
  assert.is(missing.status, 404)
  assert.equal(missing.body, {error: {code: 'RUN_NOT_FOUND', message: 'No run with adw_id "nope".'}})
  assert.is((await call(base, '/api/runs/r001-b7?x=1')).status, 400)
})

test('GET /api/runs/:id/logs: the last rows oldest first, older pages by beforeId, level/type/step filters, details parsed', async () => {
  await ready()
  const all = (await call(base, '/api/runs/r001-b7/logs?limit=5000')).body
  assert.is(all.more, false)
  assert.ok(all.rows.length > 30)
  const ids = all.rows.map((r: any) => r.id)
  assert.equal(ids, [...ids].sort((a: number, b: number) => a - b))
  const last = (await call(base, '/api/runs/r001-b7/logs?limit=10')).body
  assert.is(last.more, true)
  assert.equal(last.rows.map((r: any) => r.id), ids.slice(-10))
  const before = (await call(base, `/api/runs/r001-b7/logs?limit=10&beforeId=${ids.at(-10)}`)).body
  assert.equal(before.rows.map((r: any) => r.id), ids.slice(-20, -10))
  const tools = (await call(base, '/api/runs/r001-b7/logs?type=tool_call&step=build')).body.rows
  assert.ok(tools.length >= 4)
  for (const t of tools) assert.is(t.step, 'build'), assert.is(t.type, 'tool_call'), assert.type(t.details.input, 'object')
  assert.is(tools[0].details.tool, 'Read')
  const errors = (await call(base, '/api/runs/r009-b7/logs?level=ERROR')).body.rows
  assert.equal(errors.map((r: any) => r.level), ['ERROR', 'ERROR'])
  const bad = await call(base, '/api/runs/r001-b7/logs?level=LOUD')
  assert.is(bad.status, 400)
  assert.match(bad.body.error.message, /"level" must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/)
  assert.is((await call(base, '/api/runs/r001-b7/logs?limit=5001')).status, 400)
  assert.is((await call(base, '/api/runs/zzz/logs')).status, 404)
})

test('GET /api/runs/:id/plan: the plan file as Markdown, secrets of this environment masked; none outside the working dir', async () => {
  await ready()
  const secret = 'sk-plan-secret-5f3a9c1e'
  process.env.ADW_TEST_UI_API_KEY = secret
  try {
    writeFileSync(join(ctx.dir, 'specs/r001-b7-plan.md'), `# Plan: login\n\nkey ${secret}\n`)
    const r = await call(base, '/api/runs/r001-b7/plan')
    assert.is(r.status, 200)
    assert.equal(r.body.plan, {path: 'specs/r001-b7-plan.md', markdown: '# Plan: login\n\nkey [REDACTED]\n', truncated: false})
  } finally {
    delete process.env.ADW_TEST_UI_API_KEY
  }
  assert.equal((await call(base, '/api/runs/r004-a1/plan')).body, {plan: null}, 'a shell-only run has no plan')
  // A step that names a file outside the working directory gets nothing.
  const store = openSqliteStore(ctx.db)
  try {
    await store.createRun({adwId: 'escape', pipelineName: 'x', pipelineFile: 'x.yaml', pipelineSnapshot: '', inputs: {}, workingDir: join(ctx.dir, 'specs')})
    const id = await store.startStep({adwId: 'escape', stepId: 'plan', iteration: 0})
    await store.finishStep(id, {status: 'succeeded', outputs: {plan_file: '../orchestrator.db'}})
    await store.finishRun('escape', 'succeeded')
  } finally {
    await store.close()
  }
  assert.equal((await call(base, '/api/runs/escape/plan')).body, {plan: null})
})

test('GET /api/stats: the figures of adw stats; days must be 1..3650', async () => {
  await ready()
  const s = (await call(base, '/api/stats')).body
  assert.is(s.runs, 11)
  assert.equal(s.review, {runs: 5, passedFirstTry: 2, rate: 0.4})
  assert.equal(s.fixAttempts, [{attempts: 0, runs: 2}, {attempts: 1, runs: 2}, {attempts: 2, runs: 1}])
  assert.equal(s.perPipeline.map((p: any) => [p.pipeline, p.runs]), [['plan-build-review-fix', 5], ['plan-build', 3], ['check', 2], ['x', 1]])
  const runs = (await call(base, '/api/runs')).body.runs
  const total = runs.reduce((n: number, r: any) => n + r.costUsd, 0)
  assert.ok(Math.abs(s.total.costUsd - total) < 1e-9, `${s.total.costUsd} vs ${total}`)
  assert.ok(s.perStep.find((p: any) => p.step === 'build').medianMs > 0)
  assert.is((await call(base, '/api/stats?days=0')).status, 400)
  assert.is((await call(base, '/api/stats?days=1')).body.perDay.length, 1)
})

test('unknown endpoints are JSON 404s; the page is served at its routes; assets gzipped when asked', async () => {
  await ready()
  const r = await call(base, '/api/nothing')
  assert.is(r.status, 404)
  assert.is(r.body.error.code, 'NOT_FOUND')
  for (const path of ['/', '/runs/r001-b7', '/cost']) {
    const page = await call(base, path)
    assert.is(page.status, 200)
    assert.match(page.body, /<script type="module" src="\/assets\/app.js">/)
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/)
  }
  const js = await fetch(`${base}/assets/app.js`, {headers: {'accept-encoding': 'gzip'}})
  assert.is(js.headers.get('content-encoding'), 'gzip')
  assert.match(js.headers.get('content-type')!, /javascript/)
  assert.ok((await js.text()).length > 10_000)
  assert.is((await call(base, '/assets/nope.js')).status, 404)
})

test('GET /api/runs/<id>/graph: the stored pipeline\'s steps and needs (implicit: the step before), a loop as one node with its body; 404, null when it does not parse', async () => {
  await ready()
  const store = openSqliteStore(ctx.db)
  const snapshot = `name: g
steps:
  - id: plan
    uses: shell
    with: {run: echo}
  - id: api
    needs: [plan]
    uses: shell
    forEach: "['a', 'b']"
    with: {run: echo}
  - id: web
    needs: [plan]
    uses: shell
    retry: {maxAttempts: 2}
    with: {run: echo}
  - id: fix
    needs: [api, web]
    loop: {maxAttempts: 2, until: "true"}
    steps:
      - {id: edit, uses: shell, with: {run: echo}}
      - {id: check, uses: shell, with: {run: echo}}
  - id: ship
    uses: shell
    with: {run: echo}
`
  await store.createRun({adwId: 'graph-1', pipelineName: 'g', pipelineFile: 'g.yaml', pipelineSnapshot: snapshot, inputs: {}, workingDir: ctx.dir})
  await store.createRun({adwId: 'graph-2', pipelineName: 'g', pipelineFile: 'g.yaml', pipelineSnapshot: 'steps: [unclosed', inputs: {}, workingDir: ctx.dir})
  await store.close()
  const r = await call(base, '/api/runs/graph-1/graph')
  assert.is(r.status, 200)
  const {nodes, edges} = r.body.graph
  assert.equal(nodes.map((n: any) => [n.id, n.kind, n.needs, n.explicit]), [
    ['plan', 'action', [], false],
    ['api', 'action', ['plan'], true],
    ['web', 'action', ['plan'], true],
    ['fix', 'loop', ['api', 'web'], true],
    ['ship', 'action', ['fix'], false],
  ])
  assert.equal([nodes[1].forEach, nodes[2].retry, nodes[0].forEach], [true, true, false])
  assert.equal(nodes[3].body.map((n: any) => [n.id, n.needs]), [['edit', []], ['check', ['edit']]])
  assert.equal(edges, [['plan', 'api'], ['plan', 'web'], ['api', 'fix'], ['web', 'fix'], ['fix', 'ship']])
  assert.equal((await call(base, '/api/runs/graph-2/graph')).body, {graph: null})
  const missing = await call(base, '/api/runs/nope/graph')
  assert.is(missing.status, 404)
  assert.is(missing.body.error.code, 'RUN_NOT_FOUND')
})

test.run()
