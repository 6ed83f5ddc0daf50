import type {Crossing, Ledger} from '../budget/ledger.js'
import type {Condition, Step} from '../pipeline/types.js'
import type {Journal} from './journal.js'
import type {Lease} from './lease.js'
import type {Limits} from './limits.js'
import type {ReuseIndex} from './reuse.js'
import type {Recorder} from './recorder.js'

/** What later templates and conditions see of a step: `steps.<id>.outputs`, `.status`. */
export interface StepState {
  outputs: Record<string, unknown>
  status: string
  error?: string
}

/** Where a step run stands: top level (iteration 0), or in a loop group's iteration. */
export interface Place {
  iteration: number
  parentId?: string
}

/**
 * How one step (or loop group) came out, as a value the scheduler folds into the run's status.
 * `failed` with `tolerated` is a continueOnError failure: recorded, but the run goes on.
 * `error` of a failure is the run's error if it ends the run.
 */
export type NodeResult =
  | {status: 'succeeded'; /** On resume: its recorded run was reused (its key unchanged), nothing ran. */ reused?: boolean}
  | {status: 'skipped'; reason: string}
  | {status: 'failed'; error: string; tolerated?: boolean}
  | {status: 'cancelled'}
  /** An approval gate with no decision yet (src/engine/gate.ts): the run stops there, recorded `waiting`. */
  | {status: 'waiting'; stepId: string; message: string}
  /** A spend limit was reached (src/budget/): the run stops cleanly, recorded `budget_exceeded`. */
  | {status: 'budget_exceeded'; error: string; crossing: Crossing}

/** The results that stop the run: a failure (not continueOnError), a cancel, a gate waiting, a budget reached. */
export type Halt = Extract<NodeResult, {status: 'failed' | 'cancelled' | 'waiting' | 'budget_exceeded'}>

/** True when the result stops what depends on it (today: the rest of the run). */
export const halts = (r: NodeResult): r is Halt =>
  r.status === 'cancelled' || r.status === 'waiting' || r.status === 'budget_exceeded' || (r.status === 'failed' && r.tolerated !== true)

export const CANCELLED = {status: 'cancelled'} as const satisfies NodeResult

/** What every part of one run shares. */
export interface RunContext {
  adwId: string
  workingDir: string
  journal: Journal
  lease: Lease
  reuse: ReuseIndex
  /** The run's cancel (Ctrl-C, SIGTERM): the run ends cancelled. */
  signal: AbortSignal
  /** Aborted on cancel, and by failFast after a failure: running executors stop, nothing more starts. */
  stop: AbortSignal
  /** Slots for executors: the run's concurrency and per-executor limits. */
  limits: Limits
  /** Stop everything after the first failure (pipeline `failFast:`). */
  failFast: boolean
  /** Aborts `stop` (failFast) with the failure that caused it. */
  halt(reason: string): void
  /** `{inputs, steps, run, env}`: what templates and conditions read. */
  scope: Record<string, unknown>
  /** `scope.steps`, by step id. */
  steps: Record<string, StepState>
  /** The environment every executor sees: the run's, plus the owner mark that resume uses to find leftovers. */
  executorEnv: Record<string, string | undefined>
  /** Variables for one step run's environment (RunOptions.stepEnv). */
  stepEnv?: (step: {stepId: string; iteration: number; index?: number}) => Record<string, string>
  model?: string
  sandbox: 'on' | 'off'
  /** `adw run --wait`: an approval gate blocks until decided instead of stopping the run. */
  wait?: boolean
  /** `adw run --wait-for-quota`: a step stopped by a usage limit (or a long 429 retry-after) sleeps until the reset, then runs again. */
  waitForQuota?: boolean
  /** The run's spend against its limits (src/budget/ledger.ts), fed by every usage report. */
  ledger?: Ledger
  /** Records model exchanges for adw replay (absent when adw.config.yaml says record.enabled: false). */
  recorder?: Recorder
}

/** Evaluates a condition over `scope`; an evaluation error is recorded with its location and returned as a failure. */
export function evaluate(ctx: RunContext, cond: Condition, step: Step, scope: Record<string, unknown> = ctx.scope): boolean | {error: string} {
  try {
    return cond.evaluate(scope)
  } catch (e) {
    const error = (e as Error).message
    ctx.journal.log('ERROR', 'error', error, {message: error, condition: cond.source}, step.id)
    return {error}
  }
}
