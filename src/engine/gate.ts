/**
 * Approval gates (`uses: approval`): the engine's, not an executor's, because a gate outlives its
 * process. Reached for the first time, the gate's row is made (src/store/approvals.ts) and, unless
 * the run was started with --wait, the step is recorded `waiting` and the run stops there: the
 * process exits 0 printing the commands to continue. `adw approve`/`adw reject` record the decision
 * and resume the run; the resumed gate finds it, and its outputs (approved, comment, by) feed the
 * steps after it. With --wait the process polls the store until someone decides.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import type {ApprovalOptions} from '../plugins/approval.js'
import type {ActionStep} from '../pipeline/types.js'
import {parseTimeout} from '../pipeline/template.js'
import {checkOptions} from '../pipeline/schema.js'
import type {ApprovalRow} from '../store/types.js'
import {CANCELLED, type NodeResult, type RunContext} from './context.js'
import {now, type StepRef} from './journal.js'
import type {Prepared} from './reuse.js'

/** Start times of the gate rows open in this process (their view durations). */
const startedAt = new Map<number, number>()

/** How often `adw run --wait` looks for a decision. */
const POLL_MS = 300

/** The commands that decide a gate, as printed when the run stops to wait. */
export function decisionCommands(adwId: string, stepId: string, several = false): string[] {
  const step = several ? ` --step ${stepId}` : ''
  return [`adw approve ${adwId}${step} --comment "..."`, `adw reject ${adwId}${step} --reason "..."`]
}

/** Runs a gate step: decided before (resume) → its outputs; else waits (--wait) or stops the run as waiting. */
export async function runGate(ctx: RunContext, step: ActionStep, ref: StepRef, prepared: Prepared): Promise<NodeResult> {
  const {journal} = ctx
  const rowId = await journal.startStep(ref, prepared.key)
  let options: ApprovalOptions
  try {
    if (prepared.rendered instanceof Error) throw prepared.rendered
    const problems = checkOptions(step.executor, prepared.rendered.options, step.id)
    if (problems.length) throw new Error(problems.join('; '))
    options = prepared.rendered.options as unknown as ApprovalOptions
  } catch (error) {
    return await finish(ctx, ref, rowId, {status: 'failed', error: (error as Error).message})
  }
  startedAt.set(rowId, Date.now())
  const timeoutMs = options.timeout ? parseTimeout(options.timeout) : undefined
  let gate = await journal.requestApproval({
    stepId: step.id,
    iteration: ref.iteration,
    message: options.message,
    approvers: options.approvers,
    ...(timeoutMs ? {timeoutAt: new Date(Date.now() + timeoutMs).toISOString()} : {}),
    onTimeout: options.onTimeout ?? 'reject',
  })
  if (!gate.decision) gate = await expired(ctx, gate)
  if (!gate.decision && ctx.wait) {
    const decided = await waitForDecision(ctx, ref, gate)
    if (!decided) {
      await journal.finishStep(rowId, {status: 'cancelled', error: 'cancelled while waiting for approval'})
      await journal.flush()
      journal.emit({type: 'step:end', adwId: ctx.adwId, stepId: step.id, iteration: ref.iteration, parentId: ref.parentId, status: 'cancelled', durationMs: 0, time: now()})
      return CANCELLED
    }
    gate = decided
  }
  if (!gate.decision) {
    journal.log('INFO', 'milestone', `Step ${step.id} is waiting for approval: ${gate.message ?? ''}`, {message: gate.message, approvers: options.approvers, timeoutAt: gate.timeout_at, commands: decisionCommands(ctx.adwId, step.id)}, step.id, ref.iteration, 'approval')
    announce(ctx, ref, gate)
    return finish(ctx, ref, rowId, {status: 'waiting', stepId: step.id, message: gate.message ?? ''})
  }
  const outputs = {approved: gate.decision === 'approved', comment: gate.comment ?? '', by: gate.decided_by ?? '', decidedAt: gate.decided_at ?? ''}
  ctx.steps[step.id] = {outputs, status: 'succeeded'}
  if (gate.decision === 'rejected' && options.onReject !== 'continue') {
    const error = `rejected by ${gate.decided_by}${gate.comment ? `: ${gate.comment}` : ''}`
    return finish(ctx, ref, rowId, {status: 'failed', error: `step ${step.id} ${error}`}, outputs, error)
  }
  return finish(ctx, ref, rowId, {status: 'succeeded'}, outputs)
}

/** Tells the view and the subscribers (a run.waiting notification) that the run waits at this gate. */
function announce(ctx: RunContext, ref: StepRef, gate: ApprovalRow): void {
  ctx.journal.emit({type: 'run:waiting', adwId: ctx.adwId, stepId: ref.stepId, iteration: ref.iteration, message: gate.message ?? '', commands: decisionCommands(ctx.adwId, ref.stepId), time: now()})
}

/** A pending gate past its timeout is decided now by its onTimeout. */
async function expired(ctx: RunContext, gate: ApprovalRow): Promise<ApprovalRow> {
  if (!gate.timeout_at || gate.timeout_at > now()) return gate
  await ctx.journal.expireApprovals()
  return (await ctx.journal.approval(gate.step_id, gate.iteration)) ?? gate
}

/** `adw run --wait`: the run shows as waiting while this process polls for a decision (or its timeout, or Ctrl-C). */
async function waitForDecision(ctx: RunContext, ref: StepRef, gate: ApprovalRow): Promise<ApprovalRow | undefined> {
  const {journal} = ctx
  journal.log('INFO', 'milestone', `Step ${ref.stepId} is waiting for approval: ${gate.message ?? ''}`, {message: gate.message, timeoutAt: gate.timeout_at, commands: decisionCommands(ctx.adwId, ref.stepId)}, ref.stepId, ref.iteration, 'approval')
  await journal.setRunStatus('waiting')
  await journal.flush()
  announce(ctx, ref, gate)
  const hint = `waiting for approval: ${decisionCommands(ctx.adwId, ref.stepId).join('  or  ')}`
  try {
    for (;;) {
      journal.progress(ref, hint)
      const row = await expired(ctx, (await journal.approval(ref.stepId, ref.iteration)) ?? gate)
      if (row.decision) return row
      try {
        await sleep(POLL_MS, undefined, {signal: ctx.signal})
      } catch {
        return undefined // Ctrl-C: the run is cancelled, the gate stays pending
      }
    }
  } finally {
    await journal.setRunStatus('running')
  }
}

/** Closes the gate's step row (waiting, decided or failed) and tells the view. */
async function finish(ctx: RunContext, ref: StepRef, rowId: number, result: NodeResult, outputs: Record<string, unknown> = {}, error?: string): Promise<NodeResult> {
  const {journal} = ctx
  const status = result.status === 'waiting' ? 'waiting' : result.status === 'failed' ? 'failed' : 'succeeded'
  const message = result.status === 'failed' ? (error ?? result.error) : undefined
  await journal.finishStep(rowId, {status, outputs, error: message ?? null})
  if (result.status !== 'waiting') ctx.steps[ref.stepId] = {outputs, status, ...(message ? {error: message} : {})}
  const said = status === 'waiting' ? 'waiting for a decision' : outputs.approved === true ? `approved by ${outputs.by}` : outputs.by ? `rejected by ${outputs.by}` : status
  journal.log(status === 'failed' ? 'ERROR' : 'INFO', 'milestone', `Step ${ref.stepId} ${said}`, {status, ...outputs}, ref.stepId, ref.iteration, 'approval')
  await journal.flush()
  const durationMs = Math.max(0, Date.now() - (startedAt.get(rowId) ?? Date.now()))
  startedAt.delete(rowId)
  journal.emit({type: 'step:end', adwId: ctx.adwId, stepId: ref.stepId, iteration: ref.iteration, parentId: ref.parentId, status, durationMs, ...(message ? {error: message} : {}), ...(status === 'succeeded' ? {outcome: said} : {}), time: now()})
  return result
}
