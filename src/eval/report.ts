/**
 * An eval's report, read from the store (so it can be rebuilt any time: `adw eval compare`, a
 * resumed eval). A variant is one pipeline × model; its trials are the samples. Per variant: pass
 * rate with a Wilson interval, cost per success, duration median and p90, tokens, fix-loop
 * attempts, first-try review verdicts; between variants: the difference and Fisher's exact test.
 */
import type {EvalRow, EvalRunRow} from '../store/eval-types.js'
import type {RunRow, StepRow, Store} from '../store/types.js'
import type {CheckResult} from './checks.js'
import {fisherExact, quantileOf, wilson, type Interval} from './stats.js'

/** Below this p-value a difference is called significant. */
export const SIGNIFICANCE = 0.05

export interface VariantStats {
  /** `pipeline · model`. */
  variant: string
  pipeline: string
  model: string
  /** Decided trials (passed, failed, error). */
  trials: number
  passed: number
  /** Trials not decided (pending, running, stopped by the budget, cancelled). */
  undecided: number
  passRate: number | null
  /** 95% Wilson score interval of the pass rate. */
  interval: Interval
  /** Runs and judges of the decided trials. */
  costUsd: number
  costPerSuccess: number | null
  medianMs: number | null
  p90Ms: number | null
  /** Every token of the decided trials' runs (input, output, cache writes and reads). */
  tokens: number
  tokensPerTrial: number | null
  /** Fix-loop iterations per trial (loop body runs), on average. */
  fixAttempts: number | null
  /** Of the trials whose run had a review (a step that answered a verdict), how many passed it the first time. */
  firstReview: {passed: number; reviewed: number}
}

export interface Difference {
  a: string
  b: string
  /** Pass rate of b minus pass rate of a. */
  delta: number | null
  /** Fisher's exact test, two-sided. */
  pValue: number
  significant: boolean
}

export interface FailingTrial {
  runKey: string
  caseId: string
  variant: string
  repeat: number
  status: string
  reason: string | null
  adwId: string | null
  /** Commands that open the run. */
  open: string[]
}

export interface EvalReport {
  evalId: string
  suite: string
  status: string
  startedAt: string
  finishedAt: string | null
  costUsd: number
  variants: VariantStats[]
  differences: Difference[]
  failing: FailingTrial[]
  /** Per case and variant: passes / decided trials. */
  cases: Array<{caseId: string; byVariant: Record<string, {passed: number; trials: number}>}>
}

interface TrialFacts {
  row: EvalRunRow
  run?: RunRow
  judge?: RunRow
  steps: StepRow[]
}

const DECIDED = new Set(['passed', 'failed', 'error'])
const variantOf = (r: Pick<EvalRunRow, 'pipeline' | 'model'>) => `${r.pipeline} · ${r.model}`
const tokensOf = (r: RunRow | undefined) => (r ? r.input_tokens + r.output_tokens + r.cache_creation_tokens + r.cache_read_tokens : 0)

/** The report of an eval as recorded now. */
export async function buildReport(store: Store, evalId: string, opts: {uiUrl?: string} = {}): Promise<EvalReport> {
  const row = (await store.getEval(evalId)) as EvalRow
  const facts: TrialFacts[] = []
  for (const r of await store.listEvalRuns(evalId)) {
    facts.push({
      row: r,
      run: r.adw_id ? await store.getRun(r.adw_id) : undefined,
      judge: r.judge_adw_id ? await store.getRun(r.judge_adw_id) : undefined,
      steps: r.adw_id && DECIDED.has(r.status) ? await store.listSteps(r.adw_id) : [],
    })
  }
  const order = [...new Set(facts.map(f => variantOf(f.row)))]
  const variants = order.map(v => variantStats(v, facts.filter(f => variantOf(f.row) === v)))
  const differences: Difference[] = []
  for (let i = 0; i < variants.length; i++) {
    for (let j = i + 1; j < variants.length; j++) differences.push(difference(variants[i], variants[j]))
  }
  const caseIds = [...new Set(facts.map(f => f.row.case_id))]
  return {
    evalId,
    suite: row.suite_name,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    costUsd: round(facts.reduce((s, f) => s + (f.run?.cost_usd ?? 0) + (f.judge?.cost_usd ?? 0), 0)),
    variants,
    differences,
    failing: facts.filter(f => f.row.status === 'failed' || f.row.status === 'error').map(f => failing(f, opts.uiUrl)),
    cases: caseIds.map(caseId => ({
      caseId,
      byVariant: Object.fromEntries(
        order.map(v => {
          const mine = facts.filter(f => f.row.case_id === caseId && variantOf(f.row) === v && DECIDED.has(f.row.status))
          return [v, {passed: mine.filter(f => f.row.status === 'passed').length, trials: mine.length}]
        }),
      ),
    })),
  }
}

export function variantStats(variant: string, facts: TrialFacts[]): VariantStats {
  const decided = facts.filter(f => DECIDED.has(f.row.status))
  const passed = decided.filter(f => f.row.status === 'passed').length
  const costUsd = decided.reduce((s, f) => s + (f.run?.cost_usd ?? 0) + (f.judge?.cost_usd ?? 0), 0)
  const durations = decided.map(f => f.run?.duration_ms).filter((d): d is number => typeof d === 'number')
  const tokens = decided.reduce((s, f) => s + tokensOf(f.run), 0)
  const withRun = decided.filter(f => f.run)
  const reviews = withRun.map(f => firstVerdict(f.steps)).filter((v): v is string => v !== undefined)
  return {
    variant,
    pipeline: facts[0].row.pipeline,
    model: facts[0].row.model,
    trials: decided.length,
    passed,
    undecided: facts.length - decided.length,
    passRate: decided.length ? passed / decided.length : null,
    interval: wilson(passed, decided.length),
    costUsd: round(costUsd),
    costPerSuccess: passed ? round(costUsd / passed) : null,
    medianMs: quantileOf(durations, 0.5),
    p90Ms: quantileOf(durations, 0.9),
    tokens,
    tokensPerTrial: decided.length ? Math.round(tokens / decided.length) : null,
    fixAttempts: withRun.length ? withRun.reduce((s, f) => s + fixAttempts(f.steps), 0) / withRun.length : null,
    firstReview: {passed: reviews.filter(v => v === 'PASS').length, reviewed: reviews.length},
  }
}

function difference(a: VariantStats, b: VariantStats): Difference {
  const pValue = fisherExact(a.passed, a.trials, b.passed, b.trials)
  const delta = a.passRate !== null && b.passRate !== null ? b.passRate - a.passRate : null
  return {a: a.variant, b: b.variant, delta, pValue, significant: pValue < SIGNIFICANCE}
}

/** Loop body iterations that ran (each iteration counted once, whatever its steps). */
function fixAttempts(steps: StepRow[]): number {
  const seen = new Set<string>()
  for (const s of steps) if (s.parent_id !== null && s.iteration > 0 && s.status !== 'skipped') seen.add(`${s.parent_id}#${s.iteration}`)
  return seen.size
}

/** The verdict of the run's first step that answered one (its first review), if any. */
function firstVerdict(steps: StepRow[]): string | undefined {
  for (const s of [...steps].sort((x, y) => x.id - y.id)) {
    if (s.status !== 'succeeded' || !s.outputs) continue
    const verdict = (JSON.parse(s.outputs) as {verdict?: unknown}).verdict
    if (typeof verdict === 'string') return verdict.toUpperCase()
  }
  return undefined
}

function failing(f: TrialFacts, uiUrl?: string): FailingTrial {
  const id = f.row.adw_id
  const checks: CheckResult[] = f.row.checks ? JSON.parse(f.row.checks) : []
  const open = id ? [`adw logs --adw-id ${id}`, `adw runs show ${id}`] : []
  if (id && uiUrl) open.push(`${uiUrl.replace(/\/$/, '')}/runs/${id}`)
  for (const k of checks) if (k.adwId && !k.passed) open.push(`adw logs --adw-id ${k.adwId}`)
  return {runKey: f.row.run_key, caseId: f.row.case_id, variant: variantOf(f.row), repeat: f.row.repeat, status: f.row.status, reason: f.row.error, adwId: id, open}
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6
