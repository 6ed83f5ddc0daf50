import {duration as formatMs} from '../history/format.js'
import type {ActionStep} from '../pipeline/types.js'
import type {ExecutorContext, Usage} from '../plugins/types.js'
import {CANCELLED, evaluate, type NodeResult, type RunContext} from './context.js'
import {BudgetMeter, BudgetStop, isQuota} from './budget-meter.js'
import {runGate} from './gate.js'
import {invoke} from './invoke.js'
import {now, type StepRef} from './journal.js'
import {stepOutcome} from './outcome.js'
import {prepareStep, type Prepared} from './reuse.js'
import {hasUsage, zeroTotals} from './usage.js'

/** Runs one action step (skipped by its `if`, reused on resume when its key is unchanged, or executed and recorded). */
export async function runAction(ctx: RunContext, step: ActionStep, iteration: number, parentId?: string): Promise<NodeResult> {
  const {adwId, journal} = ctx
  if (ctx.signal.aborted) return CANCELLED
  const ref: StepRef = {stepId: step.id, name: step.name, iteration, parentId, executor: step.executor.name}
  if (step.if) {
    const go = evaluate(ctx, step.if, step)
    if (typeof go !== 'boolean') return {status: 'failed', error: go.error}
    if (!go) {
      const reason = `if: ${step.if.source} was false`
      ctx.steps[step.id] = {outputs: {}, status: 'skipped'}
      const before = ctx.reuse.get(step.id, iteration)
      // Resumed, and skipped for the same reason as before: shown, not recorded twice.
      if (before?.status === 'skipped' && before.reason === reason) journal.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status: 'skipped', durationMs: 0, reason: `${reason} (as before)`, time: now()})
      else journal.skipStep(ref, reason)
      return {status: 'skipped', reason}
    }
  }
  const prepared = await prepareStep(ctx, step, iteration, parentId)
  if (prepared.reused) return prepared.reused
  // Approval gates are the engine's own: they outlive the process (src/engine/gate.ts).
  if (step.executor.name === 'approval') return runGate(ctx, step, ref, prepared)
  return execute(ctx, step, ref, prepared)
}

/** Records the start, runs the executor once (see invoke), records the end. */
async function execute(ctx: RunContext, step: ActionStep, ref: StepRef, prepared: Prepared): Promise<NodeResult> {
  const {adwId, journal} = ctx
  const {iteration, parentId} = ref
  const started = Date.now()
  const rowId = journal.startStep(ref, prepared.key)
  ctx.lease.stepStarted(rowId, step.id)

  const usage = zeroTotals()
  let model: string | undefined
  let reported = false
  const controller = new AbortController()
  const onRunAbort = () => controller.abort(new Error('cancelled'))
  ctx.signal.addEventListener('abort', onRunAbort, {once: true})
  // The budget (src/engine/budget-meter.ts): every report charged as it comes; a limit reached stops the step.
  const meter = new BudgetMeter(ctx, ref, controller)
  const record = (u: Usage) => {
    journal.usage(rowId, ref, usage, meter.charge(u))
    if (u.model) model = u.model
  }
  const blocked = meter.start(started)
  const exec: ExecutorContext = {
    adwId,
    stepId: step.id,
    iteration,
    workingDir: ctx.workingDir,
    signal: controller.signal,
    env: ctx.stepEnv ? {...ctx.executorEnv, ...ctx.stepEnv({stepId: step.id, iteration})} : ctx.executorEnv,
    model: ctx.model,
    sandbox: ctx.sandbox,
    log: (level, type, message, details) => journal.log(level, type, message, details, step.id, iteration, step.executor.name),
    progress: text => journal.progress(ref, text),
    reportUsage: u => {
      reported = true
      record(u)
    },
    ...meter.executorBudget(),
  }

  const attempt = blocked ? {outputs: {}, error: new BudgetStop(blocked)} : await invoke(step, prepared.rendered, exec, controller)
  ctx.signal.removeEventListener('abort', onRunAbort)
  meter.finish(attempt.error)
  const {outputs} = attempt
  if (attempt.usage && !reported) record(attempt.usage)
  const error = attempt.error ? journal.redact.text(attempt.error.message ?? String(attempt.error)) : undefined
  const stack = attempt.error?.stack

  const durationMs = Date.now() - started
  const cancelled = error !== undefined && ctx.signal.aborted
  const overBudget = meter.crossed !== undefined && !cancelled
  const status = error === undefined ? 'succeeded' : cancelled ? 'cancelled' : overBudget ? 'budget_exceeded' : isQuota(attempt.error) ? 'rate_limited' : 'failed'
  ctx.steps[step.id] = {outputs, status, ...(error ? {error} : {})}
  journal.finishStep(rowId, {status, outputs, error: error ?? null, model: model ?? null})
  ctx.lease.stepEnded(rowId)
  const withUsage = hasUsage(usage) ? {usage} : {}
  const agent = step.executor.name
  if (error !== undefined) {
    journal.log(cancelled ? 'WARNING' : 'ERROR', 'error', `Step ${step.id} ${status}: ${error}`, {message: error, stack: cancelled ? undefined : stack, durationMs}, step.id, iteration, agent)
  }
  journal.log(error === undefined ? 'INFO' : cancelled ? 'WARNING' : 'ERROR', 'milestone', `Step ${step.id} ${status} in ${formatMs(durationMs)}`, {status, durationMs, executor: agent, model, iteration, ...withUsage}, step.id, iteration, agent)
  journal.flush()
  const outcome = stepOutcome(outputs, attempt.summary, journal.redact.text)
  journal.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status, durationMs, ...withUsage, error, ...(outcome ? {outcome} : {}), ...(prepared.reason ? {reason: prepared.reason} : {}), time: now()})

  if (error === undefined) return {status: 'succeeded'}
  if (cancelled) return CANCELLED
  const stopped = meter.result(cancelled)
  if (stopped) return stopped
  if (step.continueOnError) {
    journal.log('WARNING', 'state_change', `Step ${step.id} failed; continuing (continueOnError)`, undefined, step.id, iteration)
    return {status: 'failed', error: `step ${step.id} failed: ${error}`, tolerated: true}
  }
  return {status: 'failed', error: `step ${step.id} failed: ${error}`}
}

