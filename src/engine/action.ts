import type {ActionStep} from '../pipeline/types.js'
import {CANCELLED, evaluate, type NodeResult, type Place, type RunContext} from './context.js'
import {runForEach} from './for-each.js'
import {runGate} from './gate.js'
import type {StepRef} from './journal.js'
import {prepareStep, skipByCondition} from './reuse.js'
import {runStep} from './step-runner.js'

/** Runs one action step: fanned out over its forEach, skipped by its `if`, reused on resume when its key is unchanged, or run. */
export async function runAction(ctx: RunContext, step: ActionStep, place: Place, scope: Record<string, unknown> = ctx.scope): Promise<NodeResult> {
  const {journal} = ctx
  const {iteration, parentId} = place
  if (ctx.stop.aborted) return CANCELLED
  const ref: StepRef = {stepId: step.id, name: step.name, iteration, parentId, executor: step.executor.name}
  // A fan-out step's `if` may read `item`/`index`: it is decided per item.
  if (step.forEach) return runForEach(ctx, step, ref, scope)
  if (step.if) {
    const go = evaluate(ctx, step.if, step, scope)
    if (typeof go !== 'boolean') return {status: 'failed', error: go.error}
    if (!go) {
      const reason = `if: ${step.if.source} was false`
      ctx.steps[step.id] = {outputs: {}, status: 'skipped'}
      await skipByCondition(ctx, ref, reason)
      return {status: 'skipped', reason}
    }
  }
  const prepared = await prepareStep(ctx, step, ref, scope)
  if (prepared.reused) return prepared.reused
  // Approval gates are the engine's own: they outlive the process (src/engine/gate.ts).
  if (step.executor.name === 'approval') return runGate(ctx, step, ref, prepared)
  const {result, outputs, error} = await runStep(ctx, step, ref, prepared)
  if (result.status !== 'cancelled' || error !== undefined) {
    ctx.steps[step.id] = {outputs, status: result.status, ...(error ? {error} : {})}
  }
  if (result.status === 'failed' && result.tolerated) {
    journal.log('WARNING', 'state_change', `Step ${step.id} failed; continuing (continueOnError)`, undefined, step.id, iteration)
  }
  return result
}

