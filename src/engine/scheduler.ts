import type {Step} from '../pipeline/types.js'
import {runAction} from './action.js'
import {halts, type Halt, type RunContext} from './context.js'
import {runLoop} from './loop.js'

/** How the steps came out: the first result that stopped the run, if any. */
export type ScheduleResult = {status: 'succeeded'} | Halt

/** Runs the top-level steps in order; a failure (not continueOnError) or a cancel stops the rest. */
export async function schedule(ctx: RunContext, steps: Step[]): Promise<ScheduleResult> {
  for (const step of steps) {
    const result = step.kind === 'loop' ? await runLoop(ctx, step) : await runAction(ctx, step, 0)
    if (halts(result)) return result
  }
  return {status: 'succeeded'}
}
