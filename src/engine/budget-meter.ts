/**
 * One step execution's view of the budget ledger (src/budget/ledger.ts): every usage report is
 * charged to the run, the step's loop and the step as it comes; the first limit reached aborts the
 * step between calls (its executor sees the abort, with a BudgetStop reason); a minutes limit fires
 * on a timer. The step runner calls start() before the executor, charge() for each report and
 * finish() after it, and asks the result what to record.
 */
import {describeCrossing, raiseHint, type Crossing} from '../budget/ledger.js'
import type {ExecutorContext, Usage} from '../plugins/types.js'
import type {NodeResult, RunContext} from './context.js'
import {label, type StepRef} from './journal.js'

/** Why a step stopped for its budget: the abort reason the engine gives the executor. */
export class BudgetStop extends Error {
  constructor(readonly crossing: Crossing) {
    super(`budget exceeded: ${describeCrossing(crossing)}`)
  }
}

/** A failure an executor marked as a usage limit (kind quota, e.g. Claude Code's "resets 3pm"): recorded rate_limited, never retried blindly. */
export const isQuota = (e: unknown): boolean => (e as {kind?: unknown} | undefined)?.kind === 'quota'

export class BudgetMeter {
  /** The limit reached, once one is. */
  crossed?: Crossing
  private readonly path: string[]
  private readonly warned = new Set<string>()
  private timer?: NodeJS.Timeout

  constructor(
    private readonly ctx: RunContext,
    private readonly ref: StepRef,
    private readonly controller: AbortController,
  ) {
    this.path = ref.parentId ? [ref.parentId, ref.stepId] : [ref.stepId]
  }

  /** Before the executor runs: a limit already reached stops it at once (returns the crossing); time starts to count. */
  start(now = Date.now()): Crossing | undefined {
    const ledger = this.ctx.ledger
    if (!ledger) return undefined
    const before = ledger.check(this.path, now)
    if (before) this.stop(before)
    ledger.enter(this.path, now)
    this.watchMinutes()
    return before
  }

  /** `ctx.budget` for the executor: what is left on this step's path, and the price table. */
  executorBudget(): Pick<ExecutorContext, 'budget'> {
    const ledger = this.ctx.ledger
    return ledger ? {budget: {remaining: () => ledger.remaining(this.path, Date.now()), prices: ledger.prices}} : {}
  }

  /** Charges one usage report; returns it with its cost filled in from the price table. */
  charge(u: Usage): Usage {
    const ledger = this.ctx.ledger
    if (!ledger) return u
    const charged = ledger.charge(this.path, u, Date.now())
    if (charged.unpriced && !charged.crossed && !this.warned.has(charged.unpriced)) {
      this.warned.add(charged.unpriced)
      this.ctx.journal.log('WARNING', 'cost_update', `No price known for model ${charged.unpriced}: its cost is recorded as $0 (no USD budget is in force). Give its price in adw.config.yaml (prices:).`, {model: charged.unpriced}, this.ref.stepId, this.ref.iteration)
    }
    if (charged.crossed) this.stop(charged.crossed)
    return charged.usage
  }

  /** After the executor: time stops counting; an executor that stopped on its own for the budget (kind budget) is a crossing too. */
  finish(error: unknown, now = Date.now()): void {
    clearTimeout(this.timer)
    const ledger = this.ctx.ledger
    ledger?.leave(this.path, now)
    if (!this.crossed && (error as {kind?: unknown} | undefined)?.kind === 'budget') this.crossed = ledger?.check(this.path, now)
  }

  /** The node result of a step stopped by its budget (logged with how to go on), or undefined. */
  result(cancelled: boolean): Extract<NodeResult, {status: 'budget_exceeded'}> | undefined {
    const c = this.crossed
    if (!c || cancelled) return undefined
    // The run's (or a loop's) limit: say which step run crossed it (`at step build (item 2)`).
    const at = c.step === this.ref.stepId ? '' : ` at step ${this.ref.stepId}${label(this.ref, false)}`
    this.ctx.journal.log('WARNING', 'state_change', `Budget reached${at}: ${describeCrossing(c)}. To go on: ${raiseHint(c, this.ctx.adwId)}`, {crossing: c, stepId: this.ref.stepId}, this.ref.stepId, this.ref.iteration)
    return {status: 'budget_exceeded', error: `budget exceeded${at}: ${describeCrossing(c)}`, crossing: c}
  }

  private stop(c: Crossing): void {
    if (!this.crossed) this.crossed = c
    this.controller.abort(new BudgetStop(this.crossed))
  }

  /** A minutes limit on the path: a timer set to the time left (time only grows), checked again when it fires. */
  private watchMinutes(): void {
    const ledger = this.ctx.ledger!
    const left = ledger.remaining(this.path, Date.now()).ms
    if (left === undefined) return
    this.timer = setTimeout(() => {
      const c = ledger.check(this.path, Date.now())
      if (c) this.stop(c)
      else this.watchMinutes()
    }, Math.max(10, Math.ceil(left)))
    this.timer.unref()
  }
}
