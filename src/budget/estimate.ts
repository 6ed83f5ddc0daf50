/**
 * `adw estimate`: what a pipeline will cost and how long it will take, from the runs recorded in the
 * store. Per step and per model: the median and the 90th percentile of the finished step runs of the
 * same pipeline; a loop's body counts as often as the loop usually iterated. A step never run before
 * says "no history" instead of guessing. With `model`, steps of other models are priced as if they
 * had used it (same tokens, its price), so "what if this ran on opus?" has an answer; the same
 * happens when a step's model has no history of its own but others do (and the estimate says so).
 */
import type {ActionStep, Pipeline} from '../pipeline/types.js'
import type {StepFact} from '../store/types.js'
import {costOf, type PriceTable} from './prices.js'

/** Median and 90th percentile of some figure. */
export interface Spread {
  median: number
  p90: number
}

/** History of one model on one step. */
export interface ModelHistory {
  model: string
  /** Finished step runs it is drawn from. */
  runs: number
  costUsd: Spread
  durationMs: Spread
  tokens: Spread
  /** Set when the figures are another model's tokens priced at `model`'s price (`--model`). */
  repricedFrom?: string
}

export interface StepEstimate {
  id: string
  /** The loop the step is in. */
  loop?: string
  /** The model this step would use now, when its executor says (the agent does). */
  model?: string
  /** Every model seen in the step's history, most runs first. */
  models: ModelHistory[]
  /** The figures used for the total: the step's model, else all its history; absent = no history. */
  used?: ModelHistory
  /** Times the step runs per run (a loop's typical iterations; 1 outside loops). */
  times: Spread
}

export interface Estimate {
  pipeline: string
  /** Runs of this pipeline in the history. */
  runs: number
  steps: StepEstimate[]
  /** Sums over steps with history: medians for `median`, 90th percentiles for `p90` (a cautious upper figure). */
  total: {costUsd: Spread; durationMs: Spread; tokens: Spread}
  /** Steps with no history (left out of the total). */
  unknown: string[]
}

/** The q-quantile (0..1) of sorted numbers, by linear interpolation. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo)
}

const spread = (values: number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b)
  return {median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9)}
}

const tokensOf = (f: StepFact) => f.input_tokens + f.output_tokens + f.cache_creation_tokens + f.cache_read_tokens

export interface EstimateOptions {
  /** `--model`: the model every agent step would use (priced from its price for history of other models). */
  model?: string
  /** The run's default model (config), when `model` is not given. */
  runModel?: string
  prices: PriceTable
}

/** The forecast of `pipeline` from `facts` (step rows of the store; only this pipeline's finished ones count). */
export function estimate(pipeline: Pipeline, facts: StepFact[], opts: EstimateOptions): Estimate {
  const mine = facts.filter(f => f.pipeline_name === pipeline.name && f.status === 'succeeded')
  const byStep = new Map<string, StepFact[]>()
  for (const f of mine) byStep.set(f.step_id, [...(byStep.get(f.step_id) ?? []), f])
  const steps: StepEstimate[] = []
  // An approval gate costs nothing and takes a person's time, which history cannot forecast.
  const add = (s: ActionStep, loop?: string) => {
    if (s.executor.name !== 'approval') steps.push(stepEstimate(s, byStep.get(s.id) ?? [], loop, opts))
  }
  for (const s of pipeline.steps) {
    if (s.kind === 'action') add(s)
    else for (const b of s.steps) add(b, s.id)
  }
  const known = steps.filter(s => s.used)
  const sum = (pick: (s: StepEstimate) => Spread, k: keyof Spread) => known.reduce((n, s) => n + pick(s)[k] * s.times[k], 0)
  const total = (pick: (h: ModelHistory) => Spread): Spread => ({median: sum(s => pick(s.used!), 'median'), p90: sum(s => pick(s.used!), 'p90')})
  return {
    pipeline: pipeline.name,
    runs: new Set(facts.filter(f => f.pipeline_name === pipeline.name).map(f => f.adw_id)).size,
    steps,
    total: {costUsd: total(h => h.costUsd), durationMs: total(h => h.durationMs), tokens: total(h => h.tokens)},
    unknown: steps.filter(s => !s.used).map(s => s.id),
  }
}

function stepEstimate(step: ActionStep, rows: StepFact[], loop: string | undefined, opts: EstimateOptions): StepEstimate {
  const model = modelOf(step, opts)
  const groups = new Map<string, StepFact[]>()
  for (const r of rows) groups.set(r.model ?? '(unknown model)', [...(groups.get(r.model ?? '(unknown model)') ?? []), r])
  const models = [...groups].map(([m, rs]) => history(m, rs)).sort((a, b) => b.runs - a.runs || a.model.localeCompare(b.model))
  let used: ModelHistory | undefined
  if (model && groups.has(model)) used = models.find(h => h.model === model)
  else if (model && rows.length) used = repriced(model, rows, opts.prices)
  else if (rows.length) used = history(models.length === 1 ? models[0].model : 'all models', rows)
  // Per run: how many times the step ran (loop iterations); outside a loop, once.
  const perRun = new Map<string, number>()
  for (const r of rows) perRun.set(r.adw_id, (perRun.get(r.adw_id) ?? 0) + 1)
  const times = loop && perRun.size ? spread([...perRun.values()]) : {median: 1, p90: 1}
  return {id: step.id, ...(loop ? {loop} : {}), ...(model ? {model} : {}), models, ...(used ? {used} : {}), times}
}

function history(model: string, rows: StepFact[]): ModelHistory {
  return {
    model,
    runs: rows.length,
    costUsd: spread(rows.map(r => r.cost_usd)),
    durationMs: spread(rows.map(r => r.duration_ms ?? 0)),
    tokens: spread(rows.map(tokensOf)),
  }
}

/** Other models' step runs, their tokens priced at `model`'s price (undefined price: their recorded cost). */
function repriced(model: string, rows: StepFact[], prices: PriceTable): ModelHistory {
  const cost = (r: StepFact) =>
    costOf(model, {inputTokens: r.input_tokens, outputTokens: r.output_tokens, cacheCreationTokens: r.cache_creation_tokens, cacheReadTokens: r.cache_read_tokens}, prices) ?? r.cost_usd
  const from = [...new Set(rows.map(r => r.model ?? '(unknown model)'))].join(', ')
  return {...history(model, rows), costUsd: spread(rows.map(cost)), repricedFrom: from}
}

/** The model the step would call now (agent-like steps): its own `with.model`, else `--model`, else the run's default. */
function modelOf(step: ActionStep, opts: EstimateOptions): string | undefined {
  if (!step.executor.models) return undefined
  const own = typeof step.with.model === 'string' && !step.with.model.includes('{{') ? step.with.model : undefined
  return step.executor.models(own ? {model: own} : {}, opts.model ?? opts.runModel)[0]
}
