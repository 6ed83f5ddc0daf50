// `adw stats` / the cost page group in SQL (issue 18). The figures must be the ones the old
// JavaScript grouping gave over every step row: that grouping is kept here as the reference, and both
// run over the same real database (a seeded history plus the edge cases: even counts for medians,
// skipped rows, a lower-case verdict, steps without a model, a run without steps, --days).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {computeStats, type Spend, type Stats} from '../../src/history/stats.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import type {StepFact, Store} from '../../src/store/types.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {seedHistory} from '../dashboard/seed.js'
import {newRun} from '../store/fixtures.js'

const zero = (): Spend => ({costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0})
function add(to: Spend, f: StepFact): void {
  to.costUsd += f.cost_usd
  to.inputTokens += f.input_tokens
  to.outputTokens += f.output_tokens
  to.cacheReadTokens += f.cache_read_tokens
  to.cacheCreationTokens += f.cache_creation_tokens
}
function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2)
}
function group<E extends object>(facts: StepFact[], key: (f: StepFact) => string | null, extra: () => E, each: (e: E, f: StepFact) => void): Map<string, Spend & E> {
  const groups = new Map<string, Spend & E>()
  for (const f of facts) {
    const k = key(f)
    if (k === null) continue
    let g = groups.get(k)
    if (!g) groups.set(k, (g = {...zero(), ...extra()}))
    add(g, f)
    each(g, f)
  }
  return groups
}

/** The grouping as adw did it before issue 18, in JavaScript over every step row (less the day filling). */
/** Dearest first, equal costs by name (the order of ties was incidental before). */
const byCost = <T extends Spend>(name: (x: T) => string) => (a: T, b: T) => b.costUsd - a.costUsd || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)

async function reference(store: Store, since: string | null) {
  const facts = await store.stepFacts({since: since ?? undefined})
  const total = zero()
  for (const f of facts) add(total, f)
  const days = group(facts, f => f.started_at.slice(0, 10), () => ({ids: new Set<string>()}), (g, f) => g.ids.add(f.adw_id))
  const pipelines = group(facts, f => f.pipeline_name, () => ({ids: new Set<string>()}), (g, f) => g.ids.add(f.adw_id))
  const models = group(facts, f => f.model, () => ({steps: 0}), g => g.steps++)
  const steps = group(facts, f => f.step_id, () => ({executions: 0, durations: [] as number[]}), (g, f) => {
    if (f.status !== 'skipped') g.executions++
    if (f.status === 'succeeded' && f.duration_ms !== null) g.durations.push(f.duration_ms)
  })
  const firstVerdict = new Map<string, string>()
  const loopIterations = new Map<string, Set<number>>()
  for (const f of facts) {
    if (f.verdict !== null && !firstVerdict.has(f.adw_id)) firstVerdict.set(f.adw_id, f.verdict)
    if (f.parent_id !== null && f.status !== 'skipped') {
      let s = loopIterations.get(f.adw_id)
      if (!s) loopIterations.set(f.adw_id, (s = new Set()))
      s.add(f.iteration)
    }
  }
  const passed = [...firstVerdict.values()].filter(v => v.toUpperCase() === 'PASS').length
  const attempts = new Map<number, number>()
  for (const id of firstVerdict.keys()) {
    const n = loopIterations.get(id)?.size ?? 0
    attempts.set(n, (attempts.get(n) ?? 0) + 1)
  }
  return {
    runs: new Set(facts.map(f => f.adw_id)).size,
    total,
    perDay: [...days].map(([day, {ids, ...spend}]) => ({day, runs: ids.size, ...spend})).sort((a, b) => a.day.localeCompare(b.day)),
    perPipeline: [...pipelines].map(([pipeline, {ids, ...spend}]) => ({pipeline, runs: ids.size, ...spend})).sort(byCost(p => p.pipeline)),
    perModel: [...models].map(([model, g]) => ({model, ...g})).sort(byCost(m => m.model)),
    perStep: [...steps].filter(([, g]) => g.executions > 0).map(([step, {durations, ...g}]) => ({step, ...g, medianMs: median(durations)})).sort(byCost(p => p.step)),
    review: {runs: firstVerdict.size, passedFirstTry: passed, rate: firstVerdict.size ? passed / firstVerdict.size : null},
    fixAttempts: [...attempts].map(([n, runs]) => ({attempts: n, runs})).sort((a, b) => a.attempts - b.attempts),
  }
}

/** Sums of floating-point costs may differ in their last bits with the order of addition: 9 decimals. */
const rounded = (value: unknown): unknown =>
  typeof value === 'number' ? Math.round(value * 1e9) / 1e9 : Array.isArray(value) ? value.map(rounded) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) : value

/** The SQL figures without the filled-in empty days, comparable with the reference. */
const comparable = (s: Stats) => rounded({...s, since: undefined, perDay: s.perDay.filter(d => d.runs > 0)})

test('the figures grouped in SQL are those of the JavaScript grouping over every step row, for all time and for --days', async () => {
  const dir = tmpDir({}, 'adw-stats-sql-')
  const db = `${dir}/orchestrator.db`
  try {
    await seedHistory(db, {runs: 40, days: 9, workingDir: dir})
    const store = openSqliteStore(db)
    try {
      // Edge cases the seed lacks: an even number of succeeded durations per step, a lower-case PASS,
      // a review whose first verdict is not its last, skipped and failed rows, no model, no steps at all.
      await store.createRun(newRun('edge-1', {pipelineName: 'edge'}))
      for (const [step, status, outputs] of [['vet', 'succeeded', {verdict: 'pass'}], ['vet', 'failed', undefined], ['vet', 'succeeded', {verdict: 'FAIL'}], ['fmt', 'succeeded', {verdict: 42}]] as const) {
        const id = await store.startStep({adwId: 'edge-1', stepId: step, iteration: 0})
        await new Promise(r => setTimeout(r, 3))
        await store.addUsage(id, 'edge-1', {inputTokens: 7, costUsd: 0.1})
        await store.finishStep(id, {status, ...(outputs ? {outputs} : {})})
      }
      await store.startStep({adwId: 'edge-1', stepId: 'fix', parentId: 'loop', iteration: 1})
      await store.skipStep({adwId: 'edge-1', stepId: 'fix', parentId: 'loop', iteration: 2, reason: 'if: false'})
      await store.skipStep({adwId: 'edge-1', stepId: 'never', iteration: 0, reason: 'if: false'})
      await store.finishRun('edge-1', 'failed')
      await store.createRun(newRun('edge-empty', {pipelineName: 'edge'}))
      await store.flush()

      const all = await computeStats(store)
      assert.equal(comparable(all), rounded({...(await reference(store, null)), since: undefined}))
      assert.ok(all.runs >= 41, `runs with steps: ${all.runs}`)
      assert.ok(all.perStep.some(s => s.step === 'vet' && s.executions === 3 && s.medianMs !== null))
      assert.not.ok(all.perStep.some(s => s.step === 'never'), 'a step that only ever was skipped has no row')

      const now = new Date()
      const recent = await computeStats(store, {days: 3, now})
      assert.equal(comparable(recent), rounded({...(await reference(store, recent.since)), since: undefined}))
      assert.ok(recent.runs < all.runs && recent.runs > 0, `${recent.runs} of ${all.runs}`)
      assert.is(recent.perDay.length, 3, 'every day of the period, empty ones as zeros')
    } finally {
      await store.close()
    }
  } finally {
    rmDir(dir)
  }
})

test.run()
