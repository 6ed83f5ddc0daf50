import {setTimeout as sleep} from 'node:timers/promises'
import {duration as formatMs} from '../history/format.js'
import type {ActionStep} from '../pipeline/types.js'
import {classify} from '../plugins/failures.js'
import type {ExecutorContext, Usage} from '../plugins/types.js'
import {BudgetMeter, BudgetStop, isQuota} from './budget-meter.js'
import {CANCELLED, type NodeResult, type RunContext} from './context.js'
import {invoke, type Attempt} from './invoke.js'
import {label, now, type StepRef} from './journal.js'
import {MAX_QUOTA_WAITS, quotaWait, waitForReset, type QuotaWait} from './quota-wait.js'
import {nextDelay, retryMessage} from './retry.js'
import type {Prepared} from './reuse.js'
import {stepOutcome} from './outcome.js'
import {hasUsage, zeroTotals} from './usage.js'
import {stepStopReason} from './cancel.js'

/** One step run's end: its result for the scheduler and the outputs later steps see. */
export interface Ran {
  result: NodeResult
  outputs: Record<string, unknown>
  error?: string
  /** Set when the failed attempt is tried again: after how long, and why (`rate_limit (429): trying again in 1.0 s …`). */
  retry?: {delayMs: number; reason: string}
  /** `--wait-for-quota`: the step hit a usage limit with a known reset; it runs again after this wait. */
  quota?: QuotaWait
}

const NOT_STARTED: Ran = {result: CANCELLED, outputs: {}}

/**
 * Runs an action step's executor once it has a slot (see Limits) and records the step run: its
 * row, milestones, usage, and the view's events. `prepared`: its options rendered over its scope
 * (`item`/`index` for a fan-out item) and its resume key (see prepareStep). With a retry policy, a
 * transient failure is tried again after the policy's wait, each attempt its own step run.
 */
export async function runStep(ctx: RunContext, step: ActionStep, ref: StepRef, prepared: Prepared): Promise<Ran> {
  const policy = step.retry
  // Waits for a usage limit's reset (--wait-for-quota) make step runs of their own, but use up no retry attempt.
  let waits = 0
  for (let attempt = 1; ; attempt++) {
    const at = policy || ctx.waitForQuota ? {...ref, attempt} : ref
    const ran = await ctx.limits.run(step.executor.name, () => (ctx.stop.aborted ? Promise.resolve(NOT_STARTED) : once(ctx, step, at, prepared, attempt - waits)))
    if (ran.quota) {
      waits++
      if (!(await waitForReset(ctx, at, ran.quota, attempt + 1))) return {...ran, result: CANCELLED}
      continue
    }
    if (!policy || ran.retry === undefined) return ran
    const {delayMs, reason} = ran.retry
    ctx.journal.emit({type: 'step:retry', adwId: ctx.adwId, stepId: step.id, iteration: ref.iteration, ...(ref.index !== undefined ? {index: ref.index} : {}), attempt: attempt + 1, maxAttempts: policy.maxAttempts, delayMs, reason, time: now()})
    // The wait holds no slot, and Ctrl-C (or failFast) cuts it short.
    try {
      await sleep(delayMs, undefined, {signal: ctx.stop})
    } catch {
      return {...ran, result: CANCELLED}
    }
  }
}

/** Whether a failed attempt is tried again (the policy's wait and its reason), logged either way. */
function retryAfter(ctx: RunContext, step: ActionStep, ref: StepRef, cause: Error, attempt: number): Ran['retry'] {
  const policy = step.retry!
  const failure = classify(cause)
  const delayMs = nextDelay(policy, attempt, failure)
  if (delayMs === undefined) {
    const why = attempt >= policy.maxAttempts ? `${policy.maxAttempts} attempt(s) used` : failure.retryable ? 'not in retry.on' : 'never retried'
    ctx.journal.log('WARNING', 'state_change', `Step ${step.id}${label(ref, false)}: not tried again (${failure.kind}: ${why})`, {kind: failure.kind, attempt}, step.id, ref.iteration)
    return undefined
  }
  const reason = retryMessage(failure, attempt, policy, delayMs)
  ctx.journal.log('WARNING', 'state_change', `Step ${step.id}${label(ref, false)} ${reason}`, {kind: failure.kind, status: failure.status, retryAfterMs: failure.retryAfterMs, delayMs, attempt}, step.id, ref.iteration)
  return {delayMs, reason}
}

/** Records the start, runs the executor once (see invoke), records the end. */
async function once(ctx: RunContext, step: ActionStep, ref: StepRef, prepared: Prepared, policyAttempt: number): Promise<Ran> {
  const {adwId, journal} = ctx
  const {iteration, parentId} = ref
  const started = Date.now()
  const rowId = await journal.startStep(ref, prepared.key)
  ctx.lease.stepStarted(rowId, step.id)

  const usage = zeroTotals()
  let model: string | undefined
  let reported = false
  const controller = new AbortController()
  const onStop = () => controller.abort(stepStopReason(ctx.signal, ctx.stop))
  ctx.stop.addEventListener('abort', onStop, {once: true})
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
    env: ctx.stepEnv ? {...ctx.executorEnv, ...ctx.stepEnv({stepId: step.id, iteration, ...(ref.index !== undefined ? {index: ref.index} : {})})} : ctx.executorEnv,
    model: ctx.model,
    sandbox: ctx.sandbox,
    ...(step.retry ? {stepRetries: true} : {}),
    log: (level, type, message, details) => journal.log(level, type, message, details, step.id, iteration, step.executor.name, ref),
    progress: text => journal.progress(ref, text),
    reportUsage: u => {
      reported = true
      record(u)
    },
    ...meter.executorBudget(),
    ...(ctx.recorder ? {record: ctx.recorder.forStep(rowId, ref)} : {}),
  }

  const attempt: Attempt = blocked ? {outputs: {}, error: new BudgetStop(blocked)} : await invoke(step, prepared.rendered, exec, controller)
  ctx.stop.removeEventListener('abort', onStop)
  meter.finish(attempt.error)
  const {outputs} = attempt
  if (attempt.usage && !reported) record(attempt.usage)
  const error = attempt.error ? journal.redact.text(attempt.error.message ?? String(attempt.error)) : undefined
  const stack = attempt.error?.stack

  const durationMs = Date.now() - started
  const cancelled = error !== undefined && ctx.stop.aborted
  const overBudget = meter.crossed !== undefined && !cancelled
  const status = error === undefined ? 'succeeded' : cancelled ? 'cancelled' : overBudget ? 'budget_exceeded' : isQuota(attempt.error) ? 'rate_limited' : 'failed'
  await journal.finishStep(rowId, {status, outputs, error: error ?? null, model: model ?? null})
  ctx.lease.stepEnded(rowId)
  const withUsage = hasUsage(usage) ? {usage} : {}
  const agent = step.executor.name
  if (error !== undefined) {
    journal.log(cancelled ? 'WARNING' : 'ERROR', 'error', `Step ${step.id}${label(ref, false)} ${status}: ${error}`, {message: error, stack: cancelled ? undefined : stack, durationMs}, step.id, iteration, agent)
  }
  journal.log(error === undefined ? 'INFO' : cancelled ? 'WARNING' : 'ERROR', 'milestone', `Step ${step.id}${label(ref, false)} ${status} in ${formatMs(durationMs)}`, {status, durationMs, executor: agent, model, iteration, ...withUsage}, step.id, iteration, agent)
  const retry = status === 'failed' && step.retry && attempt.error ? retryAfter(ctx, step, ref, attempt.error, policyAttempt) : undefined
  const quota = ctx.waitForQuota && !retry && (status === 'rate_limited' || status === 'failed') && (ref.attempt ?? 1) - policyAttempt < MAX_QUOTA_WAITS ? quotaWait(attempt.error) : undefined
  await journal.flush()
  const outcome = stepOutcome(outputs, attempt.summary, journal.redact.text)
  const position = {...(ref.index !== undefined ? {index: ref.index, item: ref.item} : {}), ...(ref.attempt !== undefined ? {attempt: ref.attempt} : {})}
  journal.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status, durationMs, ...withUsage, error, ...(outcome ? {outcome} : {}), ...position, ...(prepared.reason ? {reason: prepared.reason} : {}), ...(retry ? {retryInMs: retry.delayMs} : quota ? {retryInMs: quota.delayMs} : {}), time: now()})

  if (error === undefined) return {result: {status: 'succeeded'}, outputs}
  if (cancelled) return {result: CANCELLED, outputs, error}
  const stopped = meter.result(cancelled)
  if (stopped) return {result: stopped, outputs, error}
  return {result: {status: 'failed', error: `step ${step.id}${label(ref, false)} failed: ${error}`, tolerated: step.continueOnError || undefined}, outputs, error, retry, ...(quota ? {quota} : {})}
}
