import type {StepFact, Store} from '../store/types.js'

/** Cost and tokens of a group of step executions. */
export interface Spend {
  costUsd: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
}

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

/** Groups facts by key, each group's spend plus whatever `extra` collects. */
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

/** `adw stats` and the dashboard's cost page: spend and quality figures over the runs since `days` ago. */
export async function computeStats(store: Store, opts: {days?: number; now?: Date} = {}): Promise<Stats> {
  const now = opts.now ?? new Date()
  const since = opts.days ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - opts.days + 1)).toISOString().slice(0, 10) : null
  const facts = await store.stepFacts({since: since ?? undefined})
  const total = zero()
  for (const f of facts) add(total, f)

  const runIds = new Set<string>()
  const days = group(facts, f => f.started_at.slice(0, 10), () => ({ids: new Set<string>()}), (g, f) => g.ids.add(f.adw_id))
  const pipelines = group(facts, f => f.pipeline_name, () => ({ids: new Set<string>()}), (g, f) => g.ids.add(f.adw_id))
  const models = group(facts, f => f.model, () => ({steps: 0}), g => g.steps++)
  const steps = group(facts, f => f.step_id, () => ({executions: 0, durations: [] as number[]}), (g, f) => {
    if (f.status !== 'skipped') g.executions++
    if (f.status === 'succeeded' && f.duration_ms !== null) g.durations.push(f.duration_ms)
  })
  for (const f of facts) runIds.add(f.adw_id)

  // Quality: per run, the first verdict and how many loop iterations ran.
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
    since,
    runs: runIds.size,
    total,
    perDay: fillDays([...days].map(([day, {ids, ...spend}]) => ({day, runs: ids.size, ...spend})), since, now.toISOString().slice(0, 10)),
    perPipeline: [...pipelines].map(([pipeline, {ids, ...spend}]) => ({pipeline, runs: ids.size, ...spend})).sort((a, b) => b.costUsd - a.costUsd),
    perModel: [...models].map(([model, g]) => ({model, ...g})).sort((a, b) => b.costUsd - a.costUsd),
    perStep: [...steps].filter(([, g]) => g.executions > 0).map(([step, {durations, ...g}]) => ({step, ...g, medianMs: median(durations)})).sort((a, b) => b.costUsd - a.costUsd),
    review: {runs: firstVerdict.size, passedFirstTry: passed, rate: firstVerdict.size ? passed / firstVerdict.size : null},
    fixAttempts: [...attempts].map(([n, runs]) => ({attempts: n, runs})).sort((a, b) => a.attempts - b.attempts),
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
