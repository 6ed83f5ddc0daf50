import type {LoopStep, Step} from '../pipeline/types.js'
import {evaluate, type Halt, type NodeResult, type Place, type RunContext} from './context.js'
import {now} from './journal.js'

/** Runs a step list as a graph (the scheduler, passed in so that the two modules do not import each other). */
export type RunBody = (ctx: RunContext, steps: Step[], place: Place) => Promise<{status: 'succeeded'; allReused?: boolean} | Halt>

/**
 * Runs a loop group: its body (a small graph: body steps may run side by side), then `until`, at
 * most maxAttempts times. On resume each body step is reused while its key is unchanged (reuse.ts),
 * so an iteration that completed before is replayed from its recorded outputs (no executor runs)
 * and `until` is evaluated on them exactly as before; a replayed iteration's milestones are not
 * written twice.
 */
export async function runLoop(ctx: RunContext, loop: LoopStep, scope: Record<string, unknown>, runBody: RunBody): Promise<NodeResult> {
  const {adwId, journal} = ctx
  if (loop.if) {
    const go = evaluate(ctx, loop.if, loop, scope)
    if (typeof go !== 'boolean') return {status: 'failed', error: go.error}
    if (!go) {
      const reason = `if: ${loop.if.source} was false`
      ctx.steps[loop.id] = {outputs: {}, status: 'skipped'}
      const before = ctx.reuse.get(loop.id, 0)
      // Resumed, and skipped for the same reason as before: shown, not recorded twice.
      if (before?.status !== 'skipped' || before.reason !== reason) await journal.skipStep({stepId: loop.id, name: loop.name, iteration: 0, executor: 'loop'}, reason)
      journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: 0, outcome: 'skipped', reason: before?.status === 'skipped' && before.reason === reason ? `${reason} (as before)` : reason, time: now()})
      return {status: 'skipped', reason}
    }
  }
  journal.emit({type: 'loop:start', adwId, stepId: loop.id, maxAttempts: loop.maxAttempts, time: now()})
  // Iterations whose every body step succeeded before: each may be replayed (its steps still check their keys).
  const recorded = ctx.reuse.forced(loop.id) ? 0 : ctx.reuse.iterationsDone(loop)
  let replayed = 0
  for (let i = 1; i <= loop.maxAttempts; i++) {
    const candidate = i <= recorded
    if (!candidate && replayed > 0 && replayed === i - 1) {
      journal.log('INFO', 'milestone', `Loop ${loop.id}: ${replayed} iteration(s) completed before (outputs reused); continuing at iteration ${i}`, {reusedIterations: replayed, maxAttempts: loop.maxAttempts}, loop.id)
    }
    if (!candidate) journal.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} started`, {iteration: i, maxAttempts: loop.maxAttempts}, loop.id, i)
    journal.emit({type: 'loop:iteration', adwId, stepId: loop.id, iteration: i, maxAttempts: loop.maxAttempts, time: now()})
    const body = await runBody(ctx, loop.steps, {iteration: i, parentId: loop.id})
    if (body.status !== 'succeeded') {
      journal.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: i, outcome: ctx.signal.aborted ? 'cancelled' : 'failed', time: now()})
      return body
    }
    const allReused = body.allReused === true
    const replay = candidate && allReused
    if (replay) replayed++
    const done = evaluate(ctx, loop.until, loop)
    if (typeof done !== 'boolean') return {status: 'failed', error: done.error}
    if (!replay) {
      journal.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} finished (${done ? 'until holds' : 'until not yet true'})`, {iteration: i, until: loop.until.source, satisfied: done}, loop.id, i)
      await journal.flush()
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
  await journal.flush()
  return {status: 'succeeded'}
}
