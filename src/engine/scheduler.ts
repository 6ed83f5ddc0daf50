import type {JobStatus, Step} from '../pipeline/types.js'
import {runAction} from './action.js'
import {CANCELLED, type Halt, type NodeResult, type Place, type RunContext} from './context.js'
import {now} from './journal.js'
import {runLoop} from './loop.js'

/** How a step list came out: the first failure that was not tolerated, a cancel, or success. */
export type ScheduleResult = {status: 'succeeded'; /** Every step was reused (resume) or skipped: nothing ran. */ allReused?: boolean} | Halt

interface Node {
  step: Step
  /** Direct upstream steps (resolved `needs:`). */
  needs: string[]
  dependents: Node[]
  /** Needs not finished yet. */
  waiting: number
  result?: NodeResult
  /** The failed step this node's outcome descends from (itself, if it failed), else undefined. */
  taint?: string
}

/**
 * Runs one step list (the pipeline's top level, or a loop body in one iteration) as a graph: a step
 * starts once every step it needs has finished, so independent branches run side by side; how many
 * executors run at once is up to the run's limits (see Limits), not to this queue. A failed step
 * skips what depends on it (recorded, with the reason) unless its condition calls a status function
 * (`always()`, `failure()`); other branches go on, unless failFast stops them all. After a cancel
 * nothing more starts.
 */
export function schedule(ctx: RunContext, steps: Step[], place: Place): Promise<ScheduleResult> {
  const nodes = new Map<string, Node>()
  steps.forEach((step, i) => nodes.set(step.id, {step, needs: step.needs ?? (i > 0 ? [steps[i - 1].id] : []), dependents: [], waiting: 0}))
  for (const node of nodes.values()) {
    for (const need of node.needs) {
      const up = nodes.get(need)
      if (!up) continue // the loader refuses unknown needs; nothing to wait for
      up.dependents.push(node)
      node.waiting++
    }
  }
  const ready: Node[] = [...nodes.values()].filter(n => n.waiting === 0)
  let running = 0
  let pumping = false
  let failure: Extract<NodeResult, {status: 'failed'}> | undefined
  // A gate waiting or a budget reached stops the run as a whole: nothing more starts.
  let stopped: Extract<NodeResult, {status: 'waiting' | 'budget_exceeded'}> | undefined
  let cancelled = false
  let allReused = true

  return new Promise<ScheduleResult>(resolve => {
    const finish = (node: Node, result: NodeResult) => {
      node.result = result
      if (!(result.status === 'succeeded' && result.reused) && result.status !== 'skipped') allReused = false
      node.taint = result.status === 'failed' && !result.tolerated ? node.step.id : node.needs.map(id => nodes.get(id)?.taint).find(t => t !== undefined)
      if (result.status === 'failed' && !result.tolerated && !failure) {
        failure = result
        if (ctx.failFast) ctx.halt(`failFast: step ${node.step.id} failed`)
      }
      if (result.status === 'cancelled') cancelled = true
      if ((result.status === 'waiting' || result.status === 'budget_exceeded') && !stopped) stopped = result
      for (const d of node.dependents) if (--d.waiting === 0) ready.push(d)
    }
    const pump = () => {
      if (pumping) return
      pumping = true
      while (ready.length > 0) {
        const node = ready.shift()!
        const decided = decide(ctx, node, nodes, place)
        if (decided && !('skip' in decided)) {
          finish(node, decided)
          continue
        }
        running++
        const scope = node.step.if?.statusCheck ? {...ctx.scope, job: {status: jobStatus(ctx, node, nodes)}} : ctx.scope
        // A skip is recorded (a store write) before its dependents are decided, like a step's end.
        const run = decided ? skip(ctx, node.step, place, decided.skip) : node.step.kind === 'loop' ? runLoop(ctx, node.step, scope, schedule) : runAction(ctx, node.step, place, scope)
        run.then(
          result => settle(node, result),
          error => settle(node, {status: 'failed', error: `internal error (a bug in adw): ${(error as Error)?.message ?? error}`}),
        )
      }
      pumping = false
      if (running === 0) resolve(stopped ?? failure ?? (cancelled || ctx.signal.aborted ? CANCELLED : {status: 'succeeded', allReused}))
    }
    const settle = (node: Node, result: NodeResult) => {
      running--
      finish(node, result)
      pump()
    }
    pump()
  })
}

/** What upstream came to, for `job.status` in the step's condition (the status functions read it). */
function jobStatus(ctx: RunContext, node: Node, nodes: Map<string, Node>): JobStatus {
  if (ctx.signal.aborted) return 'cancelled'
  return node.needs.some(id => nodes.get(id)?.taint !== undefined) ? 'failure' : 'success'
}

/**
 * A result for a step that will not run (nothing recorded: after a cancel, a gate, a budget), a
 * skip to record (`{skip: reason}`), or undefined to run it.
 */
function decide(ctx: RunContext, node: Node, nodes: Map<string, Node>, place: Place): NodeResult | {skip: string} | undefined {
  if (ctx.signal.aborted) return CANCELLED
  const step = node.step
  // After a gate that waits or a budget reached, what was not started stays unrecorded (it runs on resume).
  const up = node.needs.map(id => nodes.get(id)?.result).find(r => r && (r.status === 'waiting' || r.status === 'budget_exceeded'))
  if (up) return up
  if (ctx.stop.aborted) return {skip: String(ctx.stop.reason?.message ?? ctx.stop.reason ?? 'stopped')}
  if (step.if?.statusCheck) return undefined // always(), failure(), …: the condition decides
  const need = node.needs.map(id => nodes.get(id)).find(n => n?.taint !== undefined)
  if (!need) return undefined
  const reason = need.taint === need.step.id ? `needs ${need.step.id}, which failed` : `needs ${need.step.id}, which did not run because ${need.taint} failed`
  return {skip: reason}
}

async function skip(ctx: RunContext, step: Step, place: Place, reason: string): Promise<NodeResult> {
  ctx.steps[step.id] = {outputs: {}, status: 'skipped'}
  const executor = step.kind === 'loop' ? 'loop' : step.executor.name
  await ctx.journal.skipStep({stepId: step.id, name: step.name, iteration: place.iteration, parentId: place.parentId, executor}, reason)
  if (step.kind === 'loop') ctx.journal.emit({type: 'loop:end', adwId: ctx.adwId, stepId: step.id, iterations: 0, outcome: 'skipped', reason, time: now()})
  return {status: 'skipped', reason}
}
