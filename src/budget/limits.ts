/**
 * Spend limits: what a run, or one step, may spend. Limits come from four places, and the run's
 * limit is resolved once when it starts (then stored with it, so a resume keeps it):
 *   `adw run --max-usd/--max-tokens/--max-minutes`  >  the limit stored with a resumed run  >
 *   the tighter of the pipeline's `budget:` and adw.config.yaml's `budget.run_*`.
 * A flag wins over everything so that a run stopped at its limit can go on with a higher one
 * (`adw run --resume --adw-id x --max-usd 10`). Step limits come from the step's own `budget:`.
 */

/** A spend limit; an absent field is no limit. */
export interface Budget {
  /** US dollars, priced from the price table (src/budget/prices.ts) or reported by the executor. */
  usd?: number
  /** Every token the model processed: input, output, cache writes and cache reads. */
  tokens?: number
  /** Wall-clock minutes the run (or step) was running; time spent waiting for an approval does not count. */
  minutes?: number
}

export type BudgetKind = keyof Budget

export const BUDGET_KINDS: readonly BudgetKind[] = ['usd', 'tokens', 'minutes']

/** The limits a pipeline file declares: its own `budget:` and each step's, by step id. */
export interface PipelineBudgets {
  run?: Budget
  steps: Record<string, Budget>
}

/** adw.config.yaml's `budget:` section (defaults for every run). */
export interface ConfigBudget {
  run_usd?: number
  run_tokens?: number
  run_minutes?: number
}

export const CONFIG_BUDGET_KEYS: Record<keyof ConfigBudget, BudgetKind> = {run_usd: 'usd', run_tokens: 'tokens', run_minutes: 'minutes'}

/** Whether a budget sets any limit. */
export const hasLimit = (b: Budget | undefined): b is Budget => !!b && BUDGET_KINDS.some(k => b[k] !== undefined)

/** The tighter of two budgets, field by field. */
export function tighter(a: Budget | undefined, b: Budget | undefined): Budget {
  const out: Budget = {}
  for (const k of BUDGET_KINDS) {
    const values = [a?.[k], b?.[k]].filter((v): v is number => v !== undefined)
    if (values.length) out[k] = Math.min(...values)
  }
  return out
}

/** `b` over `a`, field by field (flags over what was stored). */
export function over(a: Budget | undefined, b: Budget | undefined): Budget {
  const out: Budget = {...a}
  for (const k of BUDGET_KINDS) if (b?.[k] !== undefined) out[k] = b[k]
  return out
}

/** adw.config.yaml's `budget:` as a Budget. */
export function fromConfig(c: ConfigBudget | undefined): Budget {
  const out: Budget = {}
  for (const [key, kind] of Object.entries(CONFIG_BUDGET_KEYS) as Array<[keyof ConfigBudget, BudgetKind]>) if (c?.[key] !== undefined) out[kind] = c[key]
  return out
}

/**
 * The run's limit. `flags` are `--max-usd` & co.; `stored` is the limit recorded with a run being
 * resumed (it already holds the pipeline's and the config's).
 */
export function runLimit(o: {flags?: Budget; stored?: Budget; pipeline?: Budget; config?: ConfigBudget}): Budget {
  const base = o.stored ?? tighter(o.pipeline, fromConfig(o.config))
  return over(base, o.flags)
}

/** `$5.00`, `200k tokens`, `30 min`: a limit or a spend, for messages. */
export function describeAmount(kind: BudgetKind, n: number): string {
  if (kind === 'usd') return `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`
  if (kind === 'tokens') return `${Math.round(n).toLocaleString('en-US')} tokens`
  if (n < 1) return `${(n * 60).toFixed(n * 60 < 10 ? 1 : 0)} s`
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} min`
}

/** `$5.00, 200,000 tokens` — every limit of a budget. */
export function describeBudget(b: Budget): string {
  return BUDGET_KINDS.filter(k => b[k] !== undefined).map(k => describeAmount(k, b[k]!)).join(', ') || 'no limit'
}

/** The flag that raises a kind of limit. */
export const FLAG_OF: Record<BudgetKind, string> = {usd: '--max-usd', tokens: '--max-tokens', minutes: '--max-minutes'}
