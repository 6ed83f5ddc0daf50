import {effectiveStatus} from '../store/status.js'
import type {RunRow, RunStatus, StepCounts, Store} from '../store/types.js'

/** A run as the dashboard lists it: what a user should believe, without the pipeline snapshot. */
export interface RunView {
  adwId: string
  pipeline: string
  pipelineFile: string
  /** The effective status: a `running` run whose process is gone is `interrupted`. */
  status: RunStatus
  /** The stored status when it differs from `status`. */
  recordedStatus?: RunStatus
  currentStep: string | null
  /** inputs.prompt when the run has one (as stored, i.e. masked), else null. */
  prompt: string | null
  inputs: Record<string, unknown>
  workingDir: string
  pid: number | null
  host: string | null
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  costUsd: number
  error: string | null
  steps: StepCounts
  /** What continues it from where it stopped: `adw run --resume --adw-id <id>`. */
  resumeCommand: string
}

export interface RunPageQuery {
  status?: RunStatus
  pipeline?: string
  text?: string
  /** @default 50 */
  limit?: number
  /** @default 0 */
  offset?: number
}

export interface RunPage {
  runs: RunView[]
  /** Every run matching the filters. */
  total: number
  offset: number
  limit: number
}

const NO_STEPS: StepCounts = {total: 0, succeeded: 0, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0}

/** Newest first, filtered and paged; running and interrupted are told apart before paging. */
export async function runPage(store: Store, query: RunPageQuery = {}): Promise<RunPage> {
  const limit = query.limit ?? 50
  const offset = query.offset ?? 0
  const filters = {pipeline: query.pipeline, text: query.text}
  let rows: RunRow[]
  let total: number
  if (query.status === 'running' || query.status === 'interrupted') {
    // Both are stored as running (few rows): the process check decides, then the page is cut.
    const live = (await store.listRuns({...filters, status: 'running'})).filter(r => effectiveStatus(r) === query.status)
    total = live.length
    rows = live.slice(offset, offset + limit)
  } else {
    total = await store.countRuns({...filters, status: query.status})
    rows = await store.listRuns({...filters, status: query.status, limit, offset})
  }
  const counts = await store.stepCounts(rows.map(r => r.adw_id))
  return {runs: rows.map(r => runView(r, counts.get(r.adw_id) ?? NO_STEPS)), total, offset, limit}
}

/** The view of one stored run. */
export function runView(run: RunRow, steps: StepCounts): RunView {
  const status = effectiveStatus(run)
  const inputs = parseObject(run.inputs)
  return {
    adwId: run.adw_id,
    pipeline: run.pipeline_name,
    pipelineFile: run.pipeline_file,
    status,
    ...(status === run.status ? {} : {recordedStatus: run.status}),
    currentStep: run.current_step,
    prompt: typeof inputs.prompt === 'string' ? inputs.prompt : null,
    inputs,
    workingDir: run.working_dir,
    pid: run.pid,
    host: run.host,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    durationMs: run.duration_ms,
    inputTokens: run.input_tokens,
    outputTokens: run.output_tokens,
    cacheReadTokens: run.cache_read_tokens,
    cacheCreationTokens: run.cache_creation_tokens,
    costUsd: run.cost_usd,
    error: run.error,
    steps,
    resumeCommand: `adw run --resume --adw-id ${run.adw_id}`,
  }
}

/** A stored JSON object column; anything else (null, bad JSON) is {}. */
export function parseObject(text: string | null): Record<string, unknown> {
  if (!text) return {}
  try {
    const value = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {}
  } catch {
    return {}
  }
}
