import {totalTokens} from '../engine/usage.js'
import {effectiveStatus} from '../store/status.js'
import type {RunRow, RunStatus, StepCounts} from '../store/types.js'
import {count, dateTime, dollars, duration, table} from './format.js'
import {openExistingStore} from './open.js'

export interface ListRunsOptions {
  dbPath: string
  /** Matches the shown status (a dead `running` run is `interrupted`). */
  status?: RunStatus
  /** @default 20 */
  limit?: number
  /** Only runs of this pipeline (its name). */
  pipeline?: string
  /** NDJSON rows instead of a table. */
  json?: boolean
  /** With json: each run's whole pipeline snapshot too (~10 KB a run). */
  full?: boolean
  /** Receives whole lines, all at once (joined by newlines, without the last one). */
  write: (lines: string) => void
}

/** A run as `adw runs` shows it: the status a user should believe, and its step counts. */
export interface RunSummary extends RunRow {
  /** The status as recorded, when it differs from `status` (e.g. running → interrupted). */
  recorded_status?: RunStatus
  steps: StepCounts
  /** The branch of the run's worktree (`adw run --worktree`), else null. */
  branch: string | null
}

/** Runs waiting at an approval gate, then the most recent others, newest first, with their effective status and step counts. */
export async function runSummaries(opts: Pick<ListRunsOptions, 'dbPath' | 'status' | 'limit' | 'pipeline'>): Promise<RunSummary[]> {
  const store = await openExistingStore(opts.dbPath)
  try {
    const limit = opts.limit ?? 20
    // running and interrupted are both stored as running; tell them apart before limiting.
    const live = opts.status === 'running' || opts.status === 'interrupted'
    const listed = await store.listRuns({status: live ? 'running' : opts.status, limit: live || opts.pipeline ? undefined : limit})
    // Runs waiting for a decision come first (a person has to act), each group newest first.
    const waiting = opts.status ? [] : await store.listRuns({status: 'waiting'})
    const rows = [...waiting, ...listed.filter(r => r.status !== 'waiting')]
    const shown = rows
      .filter(run => !opts.pipeline || run.pipeline_name === opts.pipeline)
      .map(run => ({run, status: effectiveStatus(run)}))
      .filter(r => !opts.status || r.status === opts.status)
      .slice(0, limit)
    const counts = await store.stepCounts(shown.map(r => r.run.adw_id))
    const none: StepCounts = {total: 0, succeeded: 0, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0}
    const out: RunSummary[] = []
    for (const {run, status} of shown) {
      out.push({
        ...run,
        status,
        ...(status === run.status ? {} : {recorded_status: run.status}),
        steps: counts.get(run.adw_id) ?? none,
        branch: (await store.getWorktree(run.adw_id))?.branch ?? null,
      })
    }
    return out
  } finally {
    await store.close()
  }
}

/** `adw runs`: a table (or NDJSON) of the most recent runs. */
export async function listRuns(opts: ListRunsOptions): Promise<void> {
  const runs = await runSummaries(opts)
  if (opts.json) {
    const shape = ({pipeline_snapshot, ...run}: RunSummary) => ({...run, inputs: JSON.parse(run.inputs), ...(opts.full ? {pipeline_snapshot} : {})})
    if (runs.length > 0) opts.write(runs.map(run => JSON.stringify(shape(run))).join('\n'))
    return
  }
  if (runs.length === 0) {
    const which = [opts.status, opts.pipeline && `${opts.pipeline}`].filter(Boolean).join(' ')
    opts.write(which ? `No ${which} runs in ${opts.dbPath}.` : `No runs yet in ${opts.dbPath}. Start one with: adw run <pipeline>`)
    return
  }
  const now = Date.now()
  const rows = runs.map(run => [
    run.adw_id,
    run.pipeline_name,
    run.status,
    dateTime(run.started_at),
    run.duration_ms !== null ? duration(run.duration_ms) : run.status === 'running' ? `${duration(now - Date.parse(run.started_at))}…` : '-',
    // Skipped steps are named: a passing run whose `if:` skipped a step would otherwise read 4/5.
    // So are interrupted ones: a step its dead process left unfinished runs again on resume.
    run.steps.total === 0 ? '-' : `${run.steps.succeeded}/${run.steps.total}${run.steps.skipped > 0 ? `, ${run.steps.skipped} skipped` : ''}${run.steps.interrupted > 0 ? `, ${run.steps.interrupted} interrupted` : ''}`,
    count(runTokens(run)),
    dollars(run.cost_usd),
  ])
  const total = (f: (r: RunSummary) => number) => runs.reduce((sum, r) => sum + f(r), 0)
  const ms = total(r => r.duration_ms ?? 0)
  rows.push([`total (${runs.length} ${runs.length === 1 ? 'run' : 'runs'})`, '', '', '', ms > 0 ? duration(ms) : '-', '', count(total(runTokens)), dollars(total(r => r.cost_usd))])
  const header = ['ADW_ID', 'PIPELINE', 'STATUS', 'STARTED', 'DURATION', 'STEPS', 'TOKENS', 'COST']
  // A BRANCH column once some run shown worked in a worktree (adw run --worktree).
  if (runs.some(r => r.branch)) {
    header.splice(2, 0, 'BRANCH')
    rows.forEach((row, i) => row.splice(2, 0, runs[i]?.branch ?? (i < runs.length ? '-' : '')))
  }
  const lines = table(header, rows)
  opts.write(lines.join('\n'))
}

/** The same count as the live summary: input, output, cache writes and cache reads. */
function runTokens(run: RunRow): number {
  return totalTokens({inputTokens: run.input_tokens, outputTokens: run.output_tokens, cacheCreationTokens: run.cache_creation_tokens, cacheReadTokens: run.cache_read_tokens})
}
