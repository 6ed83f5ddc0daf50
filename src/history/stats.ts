import type {SpendSums, Store} from '../store/types.js'

/** Cost and tokens of a group of step executions. */
export type Spend = SpendSums

export interface Stats {
  /** First day counted (UTC, YYYY-MM-DD); null for all time. */
  since: string | null
  runs: number
  total: Spend
  /** One entry per UTC day from `since` (or the first day with steps) to today, gaps filled with zeros. */
  perDay: Array<Spend & {day: string; runs: number}>
  perPipeline: Array<Spend & {pipeline: string; runs: number}>
  perModel: Array<Spend & {model: string; steps: number}>
  /** Per step id (loop iterations together): executions, spend, median duration of succeeded ones. */
  perStep: Array<Spend & {step: string; executions: number; medianMs: number | null}>
  /** Runs whose first verdict (e.g. the review's) was PASS, of runs that have a verdict. */
  review: {runs: number; passedFirstTry: number; rate: number | null}
  /** Runs with a verdict by how many fix-loop iterations they needed (0: passed without the loop). */
  fixAttempts: Array<{attempts: number; runs: number}>
}

const zero = (): Spend => ({costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0})

/**
 * `adw stats` and the dashboard's cost page: spend and quality figures over the runs since `days`
 * ago. The store groups (in SQL: Store.statsGroups); this sorts, fills the empty days and rates.
 */
export async function computeStats(store: Store, opts: {days?: number; now?: Date} = {}): Promise<Stats> {
  const now = opts.now ?? new Date()
  const since = opts.days ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - opts.days + 1)).toISOString().slice(0, 10) : null
  const g = await store.statsGroups({since: since ?? undefined})
  const withVerdict = g.verdicts.reduce((n, v) => n + v.runs, 0)
  const passed = g.verdicts.reduce((n, v) => n + v.passed, 0)
  /** Dearest first; equal costs by name, so every store gives one order. */
  const byCost = <T extends Spend>(name: (x: T) => string) => (a: T, b: T) => b.costUsd - a.costUsd || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)
  // The JSON's keys in one order whatever the store (the page and --json readers see the same shape).
  const spend = (x: Spend): Spend => ({costUsd: x.costUsd, inputTokens: x.inputTokens, outputTokens: x.outputTokens, cacheReadTokens: x.cacheReadTokens, cacheCreationTokens: x.cacheCreationTokens})
  return {
    since,
    runs: g.runs,
    total: spend(g.total),
    perDay: fillDays(g.perDay.map(d => ({day: d.day, runs: d.runs, ...spend(d)})), since, now.toISOString().slice(0, 10)),
    perPipeline: g.perPipeline.map(p => ({pipeline: p.pipeline, runs: p.runs, ...spend(p)})).sort(byCost(p => p.pipeline)),
    perModel: g.perModel.map(m => ({model: m.model, ...spend(m), steps: m.steps})).sort(byCost(m => m.model)),
    perStep: g.perStep.filter(p => p.executions > 0).map(p => ({step: p.step, ...spend(p), executions: p.executions, medianMs: p.medianMs})).sort(byCost(p => p.step)),
    review: {runs: withVerdict, passedFirstTry: passed, rate: withVerdict ? passed / withVerdict : null},
    fixAttempts: g.verdicts.map(v => ({attempts: v.attempts, runs: v.runs})).sort((a, b) => a.attempts - b.attempts),
  }
}

/** Every day from `from` (else the first with steps) to `to` (or the last with steps, if later), gaps as zeros. */
function fillDays(days: Array<Spend & {day: string; runs: number}>, from: string | null, to: string): Array<Spend & {day: string; runs: number}> {
  if (days.length === 0 && from === null) return []
  const byDay = new Map(days.map(d => [d.day, d]))
  const sorted = [...byDay.keys()].sort()
  const first = from ?? sorted[0]
  const last = sorted.length > 0 && sorted.at(-1)! > to ? sorted.at(-1)! : to
  const out: Array<Spend & {day: string; runs: number}> = []
  for (let t = Date.parse(first); t <= Date.parse(last); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10)
    out.push(byDay.get(day) ?? {day, runs: 0, ...zero()})
  }
  return out
}
