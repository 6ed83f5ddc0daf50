import type {ApprovalRow, StepCounts, StepRow, StepStatus, Store} from '../store/types.js'
import {parseObject, runView, type RunView} from './run-page.js'

/** One execution of one step (each loop iteration is its own), as the dashboard shows it. */
export interface StepView {
  /** The step row's id: stable, unique within the database. */
  id: number
  stepId: string
  name: string | null
  /** The loop's id for a step inside a loop, else null. */
  parentId: string | null
  iteration: number
  executor: string | null
  status: StepStatus
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  model: string | null
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  costUsd: number
  outputs: Record<string, unknown> | null
  error: string | null
  /** Why it was skipped (`if:` false, ...), else null. */
  reason: string | null
  /** Succeeded before the run's last resume and not run since: its outputs were reused (its key unchanged). */
  reused: boolean
}

export interface RunDetail {
  run: RunView
  steps: StepView[]
  /** When the run was resumed (UTC ISO), oldest first. */
  resumedAt: string[]
  /** Its approval gates, in the order reached: pending ones (decision null) and who decided the others. */
  approvals: ApprovalView[]
}

/** One approval gate reached, as the dashboard shows it. */
export interface ApprovalView {
  stepId: string
  iteration: number
  message: string | null
  /** Who may decide; empty: anyone. */
  approvers: string[]
  requestedAt: string
  timeoutAt: string | null
  onTimeout: 'reject' | 'approve'
  decision: 'approved' | 'rejected' | null
  decidedBy: string | null
  decidedAt: string | null
  comment: string | null
}

/** Resume times by run, valid while the run's stored status is unchanged (a resume sets it to running). */
export type ResumeCache = Map<string, {status: string; resumedAt: string[]}>

/**
 * A run with its step rows, or undefined for an unknown id. Finding the resumes reads the run's
 * milestone rows (a scan of its log); a live view passes a cache so that happens once per status.
 */
export async function runDetail(store: Store, adwId: string, cache?: ResumeCache): Promise<RunDetail | undefined> {
  const run = await store.getRun(adwId)
  if (!run) return undefined
  const rows = await store.listSteps(adwId)
  const counts: StepCounts = {total: rows.length, succeeded: 0, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0}
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1
  let resumedAt = cache?.get(adwId)?.status === run.status ? cache.get(adwId)!.resumedAt : undefined
  if (!resumedAt) {
    resumedAt = (await store.queryLogs({adwId, type: 'milestone'}))
      .filter(l => l.step_name === null && l.message.startsWith('Run resumed'))
      .map(l => l.created_at)
    cache?.set(adwId, {status: run.status, resumedAt})
  }
  const lastResume = resumedAt.at(-1)
  // A row that a later run of the same step and iteration superseded (it ran again on resume) was not reused.
  const latest = new Map<string, number>()
  for (const r of rows) latest.set(`${r.step_id}#${r.iteration}`, r.id)
  const steps = rows.map(r => stepView(r, lastResume !== undefined && latest.get(`${r.step_id}#${r.iteration}`) === r.id ? lastResume : undefined))
  return {run: runView(run, counts), steps, resumedAt, approvals: (await store.listApprovals(adwId)).map(approvalView)}
}

/** `lastResume`: when the run was last resumed, given only for the latest row of its step and iteration. */
function stepView(row: StepRow, lastResume: string | undefined): StepView {
  return {
    id: row.id,
    stepId: row.step_id,
    name: row.step_name,
    parentId: row.parent_id,
    iteration: row.iteration,
    executor: row.executor,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheCreationTokens: row.cache_creation_tokens,
    costUsd: row.cost_usd,
    outputs: row.outputs === null ? null : parseObject(row.outputs),
    error: row.error,
    reason: row.reason,
    reused: lastResume !== undefined && row.status === 'succeeded' && row.started_at < lastResume,
  }
}

function approvalView(a: ApprovalRow): ApprovalView {
  return {
    stepId: a.step_id,
    iteration: a.iteration,
    message: a.message,
    approvers: a.approvers ? (JSON.parse(a.approvers) as string[]) : [],
    requestedAt: a.requested_at,
    timeoutAt: a.timeout_at,
    onTimeout: a.on_timeout,
    decision: a.decision,
    decidedBy: a.decided_by,
    decidedAt: a.decided_at,
    comment: a.comment,
  }
}
