// adw estimate from seeded history: per step and model the median and p90 of earlier successful
// runs, loop iterations counted, "no history" for a new step, --model repricing, and the same
// estimate under adw run --dry-run (which still writes nothing).
import {readFileSync, statSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const PIPELINE = `name: est
steps:
  - id: plan
    uses: agent
    with: {prompt: "Plan", model: claude-sonnet-5-5}
  - id: fix_loop
    loop: {maxAttempts: 5, until: "true"}
    steps:
      - id: fix
        uses: agent
        with: {prompt: "Fix"}
  - id: brand_new
    uses: shell
    with: {run: echo hi}
`

interface Seed {
  plan: [cost: number, ms: number, tokens: number]
  fixes: Array<[cost: number, tokens: number]>
  failedPlan?: boolean
}

/** Runs of pipeline `est` written through the store, as adw run would have recorded them. */
async function seed(db: string, runs: Seed[]): Promise<void> {
  const store = openSqliteStore(db)
  try {
    for (const [i, r] of runs.entries()) {
      const adwId = `seed-${i}`
      await store.createRun({adwId, pipelineName: 'est', pipelineFile: 'p.yaml', pipelineSnapshot: PIPELINE, inputs: {}, workingDir: '/tmp'})
      const plan = await store.startStep({adwId, stepId: 'plan', iteration: 0, executor: 'agent'})
      await store.addUsage(plan, adwId, {inputTokens: r.plan[2], costUsd: r.plan[0], model: 'claude-sonnet-5-5'})
      await store.finishStep(plan, {status: r.failedPlan ? 'failed' : 'succeeded', model: 'claude-sonnet-5-5'})
      await store.flush()
      // duration_ms as recorded: set through SQL, the store takes it from the clock.
      for (const [j, [cost, tokens]] of r.fixes.entries()) {
        const fix = await store.startStep({adwId, stepId: 'fix', parentId: 'fix_loop', iteration: j + 1, executor: 'agent'})
        await store.addUsage(fix, adwId, {inputTokens: tokens, costUsd: cost, model: 'claude-haiku-5-5'})
        await store.finishStep(fix, {status: 'succeeded', model: 'claude-haiku-5-5'})
      }
      await store.finishRun(adwId, 'succeeded')
      await store.flush()
    }
  } finally {
    await store.close()
  }
  // Durations of the plan steps as seeded.
  const raw = new DatabaseSync(db)
  runs.forEach((r, i) => raw.prepare("UPDATE steps SET duration_ms = ? WHERE adw_id = ? AND step_id = 'plan'").run(r.plan[1], `seed-${i}`))
  raw.prepare("UPDATE steps SET duration_ms = 1000 WHERE step_id = 'fix'").run()
  raw.close()
}

const RUNS: Seed[] = [
  {plan: [0.1, 10_000, 1000], fixes: [[0.01, 100]]},
  {plan: [0.2, 20_000, 2000], fixes: [[0.01, 100], [0.03, 300]]},
  {plan: [0.3, 30_000, 3000], fixes: [[0.02, 200], [0.02, 200], [0.02, 200]]},
  {plan: [9.9, 99_000, 9999], fixes: [], failedPlan: true},
]

test('median and p90 per step from the history; loop iterations counted; no history for a new step', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE}, 'adw-estimate-')
  dirs.push(dir)
  await seed(join(dir, 'h.db'), RUNS)
  const r = await adw(['estimate', 'p.yaml', '--db', 'h.db', '--json'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const e = JSON.parse(r.stdout)
  assert.is(e.runs, 4)
  const plan = e.steps.find((s: any) => s.id === 'plan')
  // The failed run's plan step is not history of what the step costs when it works.
  assert.equal([plan.used.model, plan.used.runs, plan.used.costUsd.median, plan.used.durationMs.median, plan.used.tokens.median], ['claude-sonnet-5-5', 3, 0.2, 20_000, 2000])
  assert.is(Number(plan.used.costUsd.p90.toFixed(4)), 0.28)
  const fix = e.steps.find((s: any) => s.id === 'fix')
  assert.is(fix.loop, 'fix_loop')
  assert.equal(fix.times, {median: 2, p90: 2.8})
  assert.is(fix.used.runs, 6)
  // fix has no model of its own: it would run on the default model, which has no history of its own,
  // so the haiku runs' tokens are priced at the default's price (200 tokens at $2 per million).
  assert.equal([fix.used.model, fix.used.repricedFrom, fix.used.costUsd.median], ['claude-sonnet-5-5', 'claude-haiku-5-5', 0.0004])
  assert.equal(fix.models.map((m: any) => [m.model, m.runs, m.costUsd.median]), [['claude-haiku-5-5', 6, 0.02]])
  assert.equal(e.unknown, ['brand_new'])
  assert.is(Number(e.total.costUsd.median.toFixed(6)), 0.2008)
  const text = await adw(['estimate', 'p.yaml', '--db', 'h.db'], {cwd: dir})
  assert.match(text.stdout, 'Estimate for est, from 4 recorded runs')
  assert.match(text.stdout, /plan\s+\$0\.2000 \(p90 \$0\.2800\)\s+20\.0s \(p90 28\.0s\)/)
  assert.match(text.stdout, /brand_new\s+no history/)
  assert.match(text.stdout, '(without brand_new: no history)')
})

test('--model reprices history of other models at its price', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE.replace('model: claude-sonnet-5-5', 'model: "{{inputs.m}}"').replace('name: est', 'name: est\ninputs: {m: {type: string, default: x}}')}, 'adw-estimate-')
  dirs.push(dir)
  await seed(join(dir, 'h.db'), RUNS.slice(0, 3))
  const r = await adw(['estimate', 'p.yaml', '--db', 'h.db', '--model', 'claude-opus-5', '--json'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const plan = JSON.parse(r.stdout).steps.find((s: any) => s.id === 'plan')
  assert.is(plan.used.model, 'claude-opus-5')
  assert.is(plan.used.repricedFrom, 'claude-sonnet-5-5')
  // 2000 input tokens at opus-5's $5 per million.
  assert.is(plan.used.costUsd.median, 0.01)
})

test('no database, or no run of this pipeline: no history, exit 0; adw run --dry-run shows the estimate and writes nothing', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE}, 'adw-estimate-')
  dirs.push(dir)
  const none = await adw(['estimate', 'p.yaml', '--db', 'missing.db'], {cwd: dir})
  assert.is(none.exitCode, 0, none.stderr)
  assert.match(none.stdout, 'no history: no run of this pipeline is recorded in this database yet.')
  await seed(join(dir, 'h.db'), RUNS.slice(0, 3))
  const before = readFileSync(join(dir, 'h.db'))
  const mtime = statSync(join(dir, 'h.db')).mtimeMs
  const dry = await adw(['run', 'p.yaml', '--db', 'h.db', '--dry-run'], {cwd: dir, env: {ANTHROPIC_API_KEY: 'k'}})
  assert.is(dry.exitCode, 0, dry.stderr)
  assert.match(dry.stdout, 'Estimate for est, from 3 recorded runs')
  assert.match(dry.stdout, /plan\s+\$0\.2000/)
  assert.ok(readFileSync(join(dir, 'h.db')).equals(before) && statSync(join(dir, 'h.db')).mtimeMs === mtime, 'the database is unchanged')
  const missingStep = await adw(['estimate', 'nope.yaml'], {cwd: dir})
  assert.is(missingStep.exitCode, 2)
})

test.run()
