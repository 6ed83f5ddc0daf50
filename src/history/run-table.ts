import {effectiveStatus} from '../store/status.js'
import type {ApprovalRow, RunRow, StepRow, WorktreeRow} from '../store/types.js'
import {count, dateTime, dollars, duration, table, truncate} from './format.js'
import {openExistingStore, requireRun} from './open.js'

export interface ShowRunOptions {
  dbPath: string
  adwId: string
  json?: boolean
  /** Receives the whole text at once. */
  write: (text: string) => void
}

/** `adw runs show <id>`: the run's header, then one row per step execution with its own tokens and cost, and the totals. */
export async function showRun(opts: ShowRunOptions): Promise<void> {
  const store = await openExistingStore(opts.dbPath)
  try {
    const run = await requireRun(store, opts.adwId)
    const steps = await store.listSteps(run.adw_id)
    const worktree = await store.getWorktree(run.adw_id)
    const approvals = await store.listApprovals(run.adw_id)
    if (opts.json) {
      const {pipeline_snapshot: _, ...row} = run
      const gates = approvals.map(a => ({...a, approvers: a.approvers === null ? null : JSON.parse(a.approvers)}))
      opts.write(JSON.stringify({run: {...row, status: effectiveStatus(run), inputs: JSON.parse(run.inputs), worktree: worktree ?? null}, steps: steps.map(s => ({...s, outputs: s.outputs === null ? null : JSON.parse(s.outputs)})), approvals: gates}, null, 2))
      return
    }
    opts.write([...header(run, worktree), '', ...stepTable(run, steps), ...approvalLines(run.adw_id, approvals)].join('\n'))
  } finally {
    await store.close()
  }
}

function header(run: RunRow, worktree: WorktreeRow | undefined): string[] {
  const status = effectiveStatus(run)
  const took = run.duration_ms !== null ? ` · ${duration(run.duration_ms)}` : ''
  const inputs = Object.entries(JSON.parse(run.inputs) as Record<string, unknown>).map(([k, v]) => `${k}=${truncate(JSON.stringify(v), 60)}`)
  return [
    `Run ${run.adw_id} · ${run.pipeline_name} · ${status} · started ${dateTime(run.started_at)}${took}`,
    `Pipeline: ${run.pipeline_file}`,
    `Working dir: ${run.working_dir}`,
    ...(worktree ? [`Branch: ${worktree.branch} (worktree from ${worktree.base_ref} ${worktree.base_commit.slice(0, 7)} in ${worktree.repo}${worktree.removed_at ? `; pruned ${dateTime(worktree.removed_at)}` : ''})`] : []),
    ...(inputs.length ? [`Inputs: ${inputs.join(' ')}`] : []),
    ...(run.error && run.error !== status ? [`Error: ${truncate(run.error.split('\n')[0], 200)}`] : []),
  ]
}

function stepTable(run: RunRow, steps: StepRow[]): string[] {
  if (steps.length === 0) return ['(no step has run)']
  const rows = steps.map(s => [
    (s.parent_id ? '  ' : '') + (s.iteration > 0 ? `${s.step_id}#${s.iteration}` : s.step_id),
    s.executor ?? '-',
    s.status,
    s.duration_ms !== null ? duration(s.duration_ms) : '-',
    s.model ?? '-',
    count(s.input_tokens),
    count(s.output_tokens),
    `${count(s.cache_read_tokens)}/${count(s.cache_creation_tokens)}`,
    dollars(s.cost_usd),
    truncate(((s.status === 'skipped' ? s.reason : s.error) ?? '').split('\n')[0], 60),
  ])
  rows.push([
    'total',
    '',
    '',
    run.duration_ms !== null ? duration(run.duration_ms) : '-',
    '',
    count(run.input_tokens),
    count(run.output_tokens),
    `${count(run.cache_read_tokens)}/${count(run.cache_creation_tokens)}`,
    dollars(run.cost_usd),
    '',
  ])
  return table(['STEP', 'EXECUTOR', 'STATUS', 'DURATION', 'MODEL', 'IN', 'OUT', 'CACHE R/W', 'COST', 'NOTE'], rows).map(l => l.trimEnd())
}

/** The run's approval gates: each decision with who, when and why; a pending one with the commands that decide it. */
function approvalLines(adwId: string, gates: ApprovalRow[]): string[] {
  if (gates.length === 0) return []
  const out = ['', 'Approvals:']
  for (const g of gates) {
    const at = `${g.step_id}${g.iteration ? ` (iteration ${g.iteration})` : ''}`
    if (g.decision) out.push(`  ${at}: ${g.decision} by ${g.decided_by} at ${dateTime(g.decided_at!)}${g.comment ? ` — ${truncate(g.comment, 120)}` : ''}`)
    else out.push(`  ${at}: waiting since ${dateTime(g.requested_at)}${g.timeout_at ? ` (times out ${dateTime(g.timeout_at)}: ${g.on_timeout})` : ''} — adw approve ${adwId} / adw reject ${adwId} --reason "..."`)
  }
  return out
}
