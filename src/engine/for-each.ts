import type {ActionStep} from '../pipeline/types.js'
import {oneLine} from '../ui/format.js'
import {CANCELLED, evaluate, type NodeResult, type RunContext} from './context.js'
import {now, type StepRef} from './journal.js'
import type {StepStatus} from '../store/types.js'
import {prepareStep, skipByCondition} from './reuse.js'
import {runStep, type Ran} from './step-runner.js'

/**
 * Fan-out: evaluates the step's forEach list now (its needs have finished) and runs the step once
 * per item, `item` and `index` in its scope, each a recorded step run (item_index), as many at once
 * as the run's limits allow. `steps.<id>.outputs` becomes the list of the items' outputs, in item
 * order. The step fails if an item failed (after the others finished, unless failFast stops them).
 */
export async function runForEach(ctx: RunContext, step: ActionStep, ref: StepRef, scope: Record<string, unknown>): Promise<NodeResult> {
  const forEach = step.forEach!
  const items = listOf(ctx, step, scope)
  if (typeof items === 'string') {
    ctx.journal.log('ERROR', 'error', items, {message: items, forEach: forEach.items.source}, step.id, ref.iteration)
    ctx.steps[step.id] = {outputs: {}, status: 'failed', error: items}
    return {status: 'failed', error: items}
  }
  if (items.length === 0) {
    const reason = `forEach: ${forEach.items.source} gave no items`
    ctx.steps[step.id] = {outputs: [] as unknown as Record<string, unknown>, status: 'skipped'}
    await ctx.journal.skipStep(ref, reason)
    return {status: 'skipped', reason}
  }
  ctx.journal.log('INFO', 'milestone', `Step ${step.id}: ${items.length} item(s) from ${forEach.items.source}`, {items: items.length, forEach: forEach.items.source}, step.id, ref.iteration)
  const started = Date.now()
  const done: Ran[] = await Promise.all(items.map((item, index) => runItem(ctx, step, {...ref, index, item: itemLabel(item)}, {...scope, item, index})))
  const ended = (status: StepStatus, error?: string, reason?: string) =>
    ctx.journal.emit({type: 'step:end', adwId: ctx.adwId, stepId: step.id, iteration: ref.iteration, parentId: ref.parentId, status, durationMs: Date.now() - started, items: items.length, outcome: `${items.length} items${error ? `, ${done.filter(d => d.result.status === 'failed').length} failed` : ''}`, ...(error ? {error} : {}), ...(reason ? {reason} : {}), time: now()})
  if (done.every(d => d.result.status === 'skipped')) {
    ctx.steps[step.id] = {outputs: done.map(d => d.outputs) as unknown as Record<string, unknown>, status: 'skipped'}
    ended('skipped', undefined, 'every item was skipped')
    return {status: 'skipped', reason: 'every item was skipped'}
  }
  const outputs = done.map(d => d.outputs)
  const failed = done.find(d => d.result.status === 'failed' && !(d.result as {tolerated?: boolean}).tolerated)
  const tolerated = done.find(d => d.result.status === 'failed')
  const cancelled = done.some(d => d.result.status === 'cancelled')
  const status = failed ? 'failed' : cancelled ? 'cancelled' : tolerated ? 'failed' : 'succeeded'
  const error = (failed ?? tolerated)?.error
  // A list where one step's outputs would be: steps.<id>.outputs[i] is item i's.
  ctx.steps[step.id] = {outputs: outputs as unknown as Record<string, unknown>, status, ...(error ? {error} : {})}
  ended(status, error)
  const stopped = done.find(d => d.result.status === 'budget_exceeded' || d.result.status === 'waiting')
  if (stopped) return stopped.result
  if (failed) return failed.result
  if (cancelled) return CANCELLED
  if (tolerated) {
    ctx.journal.log('WARNING', 'state_change', `Step ${step.id} failed for some items; continuing (continueOnError)`, undefined, step.id, ref.iteration)
    return tolerated.result
  }
  return {status: 'succeeded'}
}

/** One item: reused on resume, skipped by the step's `if` (which may read item and index), or run. */
async function runItem(ctx: RunContext, step: ActionStep, ref: StepRef, scope: Record<string, unknown>): Promise<Ran> {
  if (step.if) {
    const go = evaluate(ctx, step.if, step, scope)
    if (typeof go !== 'boolean') return {result: {status: 'failed', error: go.error}, outputs: {}, error: go.error}
    if (!go) {
      const reason = `if: ${step.if.source} was false`
      await skipByCondition(ctx, ref, reason)
      return {result: {status: 'skipped', reason}, outputs: {}}
    }
  }
  const prepared = await prepareStep(ctx, step, ref, scope)
  if (prepared.reused) return {result: prepared.reused, outputs: prepared.outputs ?? {}}
  return runStep(ctx, step, ref, prepared)
}

/** The forEach list, or a message saying why there is none. */
function listOf(ctx: RunContext, step: ActionStep, scope: Record<string, unknown>): unknown[] | string {
  const forEach = step.forEach!
  const where = `forEach of step ${step.id} (${forEach.items.pos.file}:${forEach.items.pos.line}:${forEach.items.pos.col})`
  let value: unknown
  try {
    value = forEach.items.evaluate(scope)
  } catch (e) {
    return `${where}: ${(e as Error).message}`
  }
  if (!Array.isArray(value)) return `${where} must give a list; ${forEach.items.source} gave ${value === null ? 'null' : typeof value}${typeof value === 'string' ? ` "${oneLine(value, 40)}"` : ''}`
  if (value.length > forEach.maxItems) {
    return `${where} gave ${value.length} items, more than its maxItems of ${forEach.maxItems}: raise forEach.maxItems, or shorten the list`
  }
  return value
}

/** One short line for an item in views: a string as is, else its JSON. */
function itemLabel(item: unknown): string {
  return oneLine(typeof item === 'string' ? item : (JSON.stringify(item) ?? String(item)), 60)
}
