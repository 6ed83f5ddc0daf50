import type {LoopStep, Pipeline} from '../pipeline/types.js'
import type {RunRow, StepRow} from '../store/types.js'
import type {Totals} from './usage.js'
import {addUsage} from './usage.js'

/**
 * What a resumed run may take from before: the step runs that completed (succeeded; skipped by a
 * false `if`; failed under continueOnError: the run went on past them), by step id and iteration.
 * Cancelled, failed and `interrupted` rows run again: an interrupted step never finished, whatever
 * its continueOnError says.
 */
export class ReuseIndex {
  private readonly rows = new Map<string, StepRow>()

  constructor(pipeline?: Pipeline, steps: StepRow[] = []) {
    if (!pipeline) return
    const continueOnError = new Set(pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps : [s])).filter(s => s.continueOnError).map(s => s.id))
    for (const row of steps) {
      const done = row.status === 'succeeded' || row.status === 'skipped' || (row.status === 'failed' && continueOnError.has(row.step_id))
      if (done) this.rows.set(`${row.step_id}#${row.iteration}`, row)
    }
  }

  get size(): number {
    return this.rows.size
  }

  get(stepId: string, iteration: number): StepRow | undefined {
    return this.rows.size === 0 ? undefined : this.rows.get(`${stepId}#${iteration}`)
  }

  /** How many leading iterations of a loop completed before (every body step reusable). */
  iterationsDone(loop: LoopStep): number {
    let n = 0
    while (n < loop.maxAttempts && loop.steps.every(s => this.rows.has(`${s.id}#${n + 1}`))) n++
    return n
  }
}

/** Adds a run row's recorded usage to `totals` (a resumed run continues its totals). */
export function addRecordedUsage(totals: Totals, run: RunRow | undefined): void {
  if (run) addUsage(totals, {inputTokens: run.input_tokens, outputTokens: run.output_tokens, cacheCreationTokens: run.cache_creation_tokens, cacheReadTokens: run.cache_read_tokens, costUsd: run.cost_usd})
}

/** Why a reused step run is not run again, for its end event. */
export function reuseReason(prev: StepRow): string {
  return prev.status === 'succeeded' ? 'succeeded before; outputs reused' : prev.status === 'skipped' ? `${prev.reason ?? 'skipped'} (recorded before)` : 'failed before (continueOnError); not run again'
}
