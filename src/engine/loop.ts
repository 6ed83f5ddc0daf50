import type {LoopStep} from '../pipeline/types.js'
import {runAction} from './action.js'
import {evaluate, halts, type NodeResult, type RunContext} from './context.js'
import {now} from './journal.js'

/**
 * Runs a loop group: its body in order, then `until`, at most maxAttempts times. On resume the
 * iterations that completed before are replayed from their recorded outputs (no executor runs), so
 * that `until` is evaluated exactly as before; only their milestones are not written twice.
 */
export async function runLoop(ctx: RunContext, loop: LoopStep): Promise<NodeResult> {
  const {adwId, journal} = ctx
  const skippedBefore = ctx.reuse.get(loop.id, 0)
  if (skippedBefore?.status === 'skipped') {
    const reason = `${skippedBefore.reason ?? 'skipped'} (recorded before; not re-evaluated)`
    ctx.steps[loop.id] = {outputs: {}, status: 'skipped'}
    journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: 0, outcome: 'skipped', reason, time: now()})
    return {status: 'skipped', reason}
  }
  if (loop.if) {
    const go = evaluate(ctx, loop.if, loop)
    if (typeof go !== 'boolean') return {status: 'failed', error: go.error}
    if (!go) {
      const reason = `if: ${loop.if.source} was false`
      ctx.steps[loop.id] = {outputs: {}, status: 'skipped'}
      journal.skipStep({stepId: loop.id, name: loop.name, iteration: 0, executor: 'loop'}, reason)
      journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: 0, outcome: 'skipped', reason, time: now()})
      return {status: 'skipped', reason}
    }
  }
  journal.emit({type: 'loop:start', adwId, stepId: loop.id, maxAttempts: loop.maxAttempts, time: now()})
  const reused = ctx.reuse.iterationsDone(loop)
  for (let i = 1; i <= loop.maxAttempts; i++) {
    const replay = i <= reused
    if (i === reused + 1 && reused > 0) {
      journal.log('INFO', 'milestone', `Loop ${loop.id}: ${reused} iteration(s) completed before (outputs reused); continuing at iteration ${i}`, {reusedIterations: reused, maxAttempts: loop.maxAttempts}, loop.id)
    }
    if (!replay) journal.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} started`, {iteration: i, maxAttempts: loop.maxAttempts}, loop.id, i)
    journal.emit({type: 'loop:iteration', adwId, stepId: loop.id, iteration: i, maxAttempts: loop.maxAttempts, time: now()})
    for (const step of loop.steps) {
      const result = await runAction(ctx, step, i, loop.id)
      if (halts(result)) {
        journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: i, outcome: ctx.signal.aborted ? 'cancelled' : 'failed', time: now()})
        return result
      }
    }
    const done = evaluate(ctx, loop.until, loop)
    if (typeof done !== 'boolean') return {status: 'failed', error: done.error}
    if (!replay) {
      journal.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} finished (${done ? 'until holds' : 'until not yet true'})`, {iteration: i, until: loop.until.source, satisfied: done}, loop.id, i)
      journal.flush()
    } else if (done) {
      journal.log('INFO', 'milestone', `Loop ${loop.id}: until held at iteration ${i}/${loop.maxAttempts} (completed before; outputs reused)`, {iteration: i, until: loop.until.source, satisfied: true, reusedIterations: i}, loop.id, i)
    }
    if (done) {
      ctx.steps[loop.id] = {outputs: {iterations: i, satisfied: true}, status: 'succeeded'}
      journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: i, outcome: 'satisfied', time: now()})
      return {status: 'succeeded'}
    }
  }
  const msg = `Loop ${loop.id} exhausted: ${loop.maxAttempts} attempt(s) without ${loop.until.source}`
  ctx.steps[loop.id] = {outputs: {iterations: loop.maxAttempts, satisfied: false}, status: loop.onExhausted === 'fail' ? 'failed' : 'succeeded'}
  journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: loop.maxAttempts, outcome: 'exhausted', reason: msg, time: now()})
  if (loop.onExhausted === 'fail') {
    journal.log('ERROR', 'error', msg, {message: msg, maxAttempts: loop.maxAttempts, until: loop.until.source}, loop.id)
    return {status: 'failed', error: msg}
  }
  journal.log('WARNING', 'milestone', `${msg}; continuing (onExhausted: continue)`, {maxAttempts: loop.maxAttempts, until: loop.until.source}, loop.id)
  journal.flush()
  return {status: 'succeeded'}
}
