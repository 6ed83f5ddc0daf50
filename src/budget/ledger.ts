/**
 * The budget ledger: what a run and each of its steps have spent, against their limits. No I/O
 * and no clock of its own (time is passed in), so it is tested as plain functions; the engine's
 * journal feeds it every usage report as it happens.
 *
 * Spend is kept per scope: the run, and every step id. A charge names its step's path from the
 * outside in (`['fix_loop', 'fix']`): it adds to the run, to the loop and to the step, so a loop's
 * limit sums its iterations, a fan-out step's limit sums its items, and retries add up too.
 */
import type {Usage} from '../plugins/types.js'
import {totalTokens} from '../engine/usage.js'
import {BUDGET_KINDS, describeAmount, FLAG_OF, hasLimit, type Budget, type BudgetKind} from './limits.js'
import {costOf, type PriceTable} from './prices.js'

/** What one scope has spent. */
export interface Spend {
  usd: number
  tokens: number
  /** Milliseconds of wall-clock time while at least one of the scope's steps ran. */
  ms: number
}

/** The limit that stopped a run: which scope, which kind, how much was spent of how much. */
export interface Crossing {
  /** The step (or loop) whose own budget was crossed; absent for the run's budget. */
  step?: string
  kind: BudgetKind
  /** In the limit's unit: USD, tokens, minutes. */
  spent: number
  limit: number
  /** Set when the crossing is a model with no known price under a USD limit (it cannot be counted). */
  unpricedModel?: string
  /** The limit is the one shared by several runs (LedgerInit.parent: an eval's --max-usd), not the run's own. */
  shared?: boolean
}

/** What is left, the least over the run and the step's scopes; absent = no limit. */
export interface Remaining {
  usd?: number
  tokens?: number
  ms?: number
}

export interface ChargeResult {
  /** The usage with its cost filled in from the price table when the executor gave none. */
  usage: Usage
  /** The model had no price, so its cost could not be counted (recorded as 0 when no USD limit is in force). */
  unpriced?: string
  /** The first limit this charge reached, if any. */
  crossed?: Crossing
}

interface Scope {
  limit: Budget
  spent: Spend
  /** While > 0, time runs for this scope. */
  active: number
  activeSince: number
}

/** The run's scope key: no step id is empty. */
const RUN = ''
/** The parent ledger's run scope, when there is one (no step id holds a NUL). */
const SHARED = '\0shared'
const stepOf = (id: string): {step?: string; shared?: boolean} => (id === RUN ? {} : id === SHARED ? {shared: true} : {step: id})
const zero = (): Spend => ({usd: 0, tokens: 0, ms: 0})

export interface LedgerInit {
  /** The run's limit (see runLimit). */
  run?: Budget
  /** Each step's own limit, by step id (loops and fan-out steps included). */
  steps?: Record<string, Budget>
  prices: PriceTable
  /**
   * The run's spend recorded before (a resumed run). Steps start afresh: a step's budget caps what
   * it spends each time the run reaches it (its loop iterations, items and retries summed), so a
   * resumed step gets its budget again; the run's limit is what caps the whole.
   */
  prior?: Partial<Spend>
  /**
   * A budget over several runs (an eval's --max-usd): every charge also counts against this
   * ledger's run scope, and its limits stop this run as its own do (the crossing says `shared`).
   */
  parent?: Ledger
}

export class Ledger {
  private readonly scopes = new Map<string, Scope>()
  /** The price table usage without a cost is priced from (handed to executors as ctx.budget.prices). */
  readonly prices: PriceTable
  private readonly parent?: Ledger

  constructor(init: LedgerInit) {
    this.prices = init.prices
    this.parent = init.parent
    this.scope(RUN, init.run ?? {}, init.prior)
    for (const [id, limit] of Object.entries(init.steps ?? {})) this.scope(id, limit)
  }

  /** Whether any limit is in force at all (the engine skips the ledger's checks when none is). */
  get limited(): boolean {
    return [...this.scopes.values()].some(s => hasLimit(s.limit)) || this.parent?.limited === true
  }

  /** Whether a USD limit applies to a step at `path` (then an unpriced model is refused). */
  usdLimited(path: readonly string[] = []): boolean {
    return this.chain(path).some(s => s.limit.usd !== undefined)
  }

  /** What the run, or the step at `path`, has spent. */
  spent(path: readonly string[] = []): Spend {
    const s = this.scopes.get(path.at(-1) ?? RUN)
    return s ? {...s.spent} : zero()
  }

  /** Adds one usage report to the run and to every scope on `path`; says which limit it reached, if any. */
  charge(path: readonly string[], usage: Usage, now: number): ChargeResult {
    const tokens = totalTokens(usage)
    let cost = usage.costUsd
    let unpriced: string | undefined
    if (cost === undefined && tokens > 0) {
      cost = usage.model ? costOf(usage.model, {inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0, cacheCreationTokens: usage.cacheCreationTokens ?? 0, cacheReadTokens: usage.cacheReadTokens ?? 0}, this.prices) : undefined
      if (cost === undefined) unpriced = usage.model ?? 'an unnamed model'
    }
    const chain = this.chain(path)
    for (const s of chain) {
      s.spent.usd += cost ?? 0
      s.spent.tokens += tokens
    }
    const filled = {...usage, costUsd: cost ?? 0}
    if (unpriced && chain.some(s => s.limit.usd !== undefined)) {
      const [id, s] = this.named(path).reverse().find(([, s]) => s.limit.usd !== undefined)!
      return {usage: filled, unpriced, crossed: {...stepOf(id), kind: 'usd', spent: s.spent.usd, limit: s.limit.usd!, unpricedModel: unpriced}}
    }
    return {usage: filled, ...(unpriced ? {unpriced} : {}), ...this.crossing(path, now)}
  }

  /** The first limit on `path` that is reached now (spend at or over it), if any: checked between calls. */
  check(path: readonly string[], now: number): Crossing | undefined {
    return this.crossing(path, now).crossed
  }

  /** What is left before the first limit on `path`, for an executor about to make a call. */
  remaining(path: readonly string[], now: number): Remaining {
    const out: Remaining = {}
    for (const [, s] of this.named(path)) {
      if (s.limit.usd !== undefined) out.usd = Math.min(out.usd ?? Infinity, s.limit.usd - s.spent.usd)
      if (s.limit.tokens !== undefined) out.tokens = Math.min(out.tokens ?? Infinity, s.limit.tokens - s.spent.tokens)
      if (s.limit.minutes !== undefined) out.ms = Math.min(out.ms ?? Infinity, s.limit.minutes * 60_000 - this.elapsed(s, now))
    }
    return out
  }

  /** A step at `path` starts running: time counts for it, its loop and the run from now. */
  enter(path: readonly string[], now: number): void {
    for (const s of this.chain(path)) {
      if (s.active++ === 0) s.activeSince = now
    }
  }

  /** The step at `path` stopped running. */
  leave(path: readonly string[], now: number): void {
    for (const s of this.chain(path)) {
      if (s.active === 0) continue
      if (--s.active === 0) s.spent.ms += now - s.activeSince
    }
  }

  /** Milliseconds a scope has been running, counting a run in progress. */
  private elapsed(s: Scope, now: number): number {
    return s.spent.ms + (s.active > 0 ? now - s.activeSince : 0)
  }

  private crossing(path: readonly string[], now: number): {crossed?: Crossing} {
    // Inner scopes first: "step fix crossed its $0.50" says more than "the run crossed $5".
    for (const [id, s] of this.named(path).reverse()) {
      for (const kind of BUDGET_KINDS) {
        const limit = s.limit[kind]
        if (limit === undefined) continue
        const spent = kind === 'usd' ? s.spent.usd : kind === 'tokens' ? s.spent.tokens : this.elapsed(s, now) / 60_000
        if (spent >= limit) return {crossed: {...stepOf(id), kind, spent, limit}}
      }
    }
    return {}
  }

  private scope(id: string, limit: Budget, prior?: Partial<Spend>): Scope {
    const s: Scope = {limit, spent: {...zero(), ...prior}, active: 0, activeSince: 0}
    this.scopes.set(id, s)
    return s
  }

  /** The run and each step on `path`, outside in, creating scopes for steps without a limit. */
  private named(path: readonly string[]): Array<[string, Scope]> {
    const own: Array<[string, Scope]> = [RUN, ...path].map(id => [id, this.scopes.get(id) ?? this.scope(id, {})])
    return this.parent ? [[SHARED, this.parent.runScope()], ...own] : own
  }

  /** This ledger's run scope, which a child ledger charges and checks as its shared scope. */
  private runScope(): Scope {
    return this.scopes.get(RUN)!
  }

  private chain(path: readonly string[]): Scope[] {
    return this.named(path).map(([, s]) => s)
  }
}

/**
 * One sentence on a crossing: `step fix spent $0.5210 of its $0.50 budget (usd)`, or for an
 * unpriced model, why it could not be counted and how to give its price.
 */
export function describeCrossing(c: Crossing): string {
  const who = c.step ? `step ${c.step}` : c.shared ? 'the eval' : 'the run'
  if (c.unpricedModel) {
    return `${who} used model ${c.unpricedModel}, which has no known price, under a USD budget of ${describeAmount('usd', c.limit)}: its spend cannot be counted. Give its price in adw.config.yaml (prices: {${c.unpricedModel}: {input: 3, output: 15}}, USD per million tokens)`
  }
  return `${who} spent ${describeAmount(c.kind, c.spent)} of ${c.step ? 'its' : 'its limit of'} ${describeAmount(c.kind, c.limit)}${c.step ? ' budget' : ''}`
}

/** How to go on after a crossing: resume with a higher limit (a step's own budget is in the pipeline). */
export function raiseHint(c: Crossing, adwId: string): string {
  if (c.shared) return `resume the eval with a higher limit: adw eval <suite.yaml> --resume <eval-id> --max-usd ${(Math.max(c.limit * 2, c.spent * 1.5)).toFixed(2)}`
  if (c.unpricedModel) return `add the price of ${c.unpricedModel} to adw.config.yaml, then: adw run --resume --adw-id ${adwId}`
  if (c.step) return `raise budget.${c.kind} of step ${c.step} in the pipeline and start a new run (adw run --resume --adw-id ${adwId} runs the step again with the same budget)`
  const higher = Math.max(c.limit * 2, c.spent * 1.5)
  const shown = c.kind === 'usd' ? higher.toFixed(2) : String(Math.ceil(higher))
  return `adw run --resume --adw-id ${adwId} ${FLAG_OF[c.kind]} ${shown}`
}
