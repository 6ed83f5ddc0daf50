import type {LogLevel, LogType, Usage} from '../plugins/types.js'
import type {EvalStore} from './eval-types.js'

/**
 * `waiting`: stopped at an approval gate, its process exited (adw approve/reject continue it).
 * `budget_exceeded`: a spend limit stopped it (resumable with a higher limit).
 * `queued`: recorded by `adw run --queue`, waiting for an `adw worker` to take it.
 */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'waiting' | 'budget_exceeded'
/** `interrupted`: the adw process died while the step ran (closed on resume; the step runs again). */
/**
 * `waiting`: an approval gate waiting for a decision. `budget_exceeded`: the step that crossed a
 * spend limit. `rate_limited`: stopped by a usage limit with a reset time (never success, never
 * retried blindly). All three run again on resume.
 */
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'interrupted' | 'waiting' | 'budget_exceeded' | 'rate_limited'

/** A row of `runs`. Times are UTC ISO-8601 with milliseconds. */
export interface RunRow {
  adw_id: string
  pipeline_name: string
  pipeline_file: string
  /** The pipeline file's text when the run started (for resume). */
  pipeline_snapshot: string
  /** JSON object of the resolved inputs. */
  inputs: string
  working_dir: string
  status: RunStatus
  current_step: string | null
  pid: number | null
  host: string | null
  heartbeat_at: string | null
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  input_tokens: number
  output_tokens: number
  cache_creation_tokens: number
  cache_read_tokens: number
  cost_usd: number
  error: string | null
  /** JSON array of the run's `--executor FROM=TO` substitutions, or null. */
  executor_aliases: string | null
  /** JSON {usd?, tokens?, minutes?}: the run's limits in force, kept for --resume; null = none. */
  budget: string | null
  /** Milliseconds the run ran in earlier processes (a minutes budget counts them, not time spent waiting). */
  active_ms: number
  /** JSON array of the pipeline's edges, `[from, to]` (`to` needs `from`; loop body steps as `loop/step`), or null (older runs). */
  graph: string | null
  /** The queue the run was submitted to (`adw run --queue`), else null: an `adw approve` puts it back there. */
  queue: string | null
  /** When `adw cancel` (or the dashboard) asked the run to stop, and who: the process driving it sees it on its heartbeat. */
  cancel_requested_at: string | null
  cancel_requested_by: string | null
}

/** A row of `steps`: one execution of one step (loop iterations are separate rows). */
export interface StepRow {
  id: number
  adw_id: string
  step_id: string
  step_name: string | null
  /** The loop group's id for steps inside a loop, else null. */
  parent_id: string | null
  iteration: number
  executor: string | null
  status: StepStatus
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  model: string | null
  input_tokens: number
  output_tokens: number
  cache_creation_tokens: number
  cache_read_tokens: number
  cost_usd: number
  /** JSON object. */
  outputs: string | null
  error: string | null
  /** Why the step was skipped (skipStep's reason), else null. */
  reason: string | null
  /** sha256 hex of what the run depended on (src/engine/memo.ts); null for rows written before keys (schema 4) and for skips. */
  content_key: string | null
  /** JSON object of short digests of the key's parts (KeyParts), or null. */
  key_parts: string | null
  /** A fan-out step's item (0-based), else null. */
  item_index: number | null
  /** 1-based: a retried step has one row per attempt. */
  attempt: number
}

/** A step run's resume key as stored (see src/engine/memo.ts: only digests, never content). */
export interface StepKey {
  key: string
  parts: object
}

/** A row of `worktrees`: the git worktree a run works in (`adw run --worktree`). */
export interface WorktreeRow {
  adw_id: string
  /** The main checkout's top-level folder (the repository the worktree belongs to). */
  repo: string
  /** The base as given (`--base`, default HEAD). */
  base_ref: string
  /** The commit the branch was created at. */
  base_commit: string
  branch: string
  /** The worktree's folder (`<repo>/.adw/worktrees/<adw-id>`). */
  path: string
  /** The process that created it (its run row may not exist yet). */
  pid: number | null
  host: string | null
  created_at: string
  /** When `adw worktrees prune` removed it (null: it should exist). */
  removed_at: string | null
}

export interface NewWorktree {
  adwId: string
  repo: string
  baseRef: string
  baseCommit: string
  branch: string
  path: string
}

/** A row of `agent_logs`, the Python original's contract. */
export interface LogRow {
  id: number
  adw_id: string
  agent_name: string | null
  step_name: string | null
  iteration: number
  log_level: LogLevel
  log_type: LogType
  message: string
  /** JSON, or null. */
  details: string | null
  created_at: string
}

export interface NewRun {
  adwId: string
  pipelineName: string
  pipelineFile: string
  pipelineSnapshot: string
  inputs: Record<string, unknown>
  workingDir: string
  /** `--executor FROM=TO` substitutions, stored so `--resume` runs the same executors. */
  executorAliases?: string[]
  /** The run's limits in force (src/budget/limits.ts), stored so `--resume` keeps them. */
  budget?: {usd?: number; tokens?: number; minutes?: number}
  /** The pipeline's edges, `[from, to]`: `to` needs `from` (see RunRow.graph). */
  graph?: Array<[string, string]>
  /** `adw run --queue`: the run is recorded `queued` on this queue (no process drives it yet). */
  queue?: string
}

/** A step run about to start (or recorded as skipped). */
export interface NewStep {
  adwId: string
  stepId: string
  stepName?: string | null
  /** The loop group's id for steps inside a loop. */
  parentId?: string | null
  iteration: number
  executor?: string | null
  /** A fan-out step's item (0-based). */
  itemIndex?: number | null
  /** 1-based. @default 1 */
  attempt?: number
  /** The resume key of what this run depends on (src/engine/memo.ts). */
  contentKey?: StepKey
}

export interface NewLog {
  adwId: string
  agentName?: string | null
  stepName?: string | null
  iteration?: number
  level: LogLevel
  type: LogType
  message: string
  details?: unknown
}

export interface LogQuery {
  adwId: string
  /** Exactly this level. */
  level?: LogLevel
  /** This level and above (DEBUG < INFO < WARNING < ERROR < CRITICAL); `adw logs --level`. */
  minLevel?: LogLevel
  step?: string
  type?: LogType
  /** The last N rows (in chronological order). */
  limit?: number
  /** Only rows with id > afterId (for --follow). */
  afterId?: number
  /** Only rows with id < beforeId (paging back through a long log). */
  beforeId?: number
  /** The first N rows (catching up after afterId); not with limit. */
  head?: number
}

/** How a run's step rows stand, for `adw runs`. Loop iterations count as separate rows. */
export interface StepCounts {
  total: number
  succeeded: number
  failed: number
  skipped: number
  running: number
  cancelled: number
  interrupted: number
  waiting?: number
  budget_exceeded?: number
  rate_limited?: number
}

/** What `claimRun` found and did. */
export interface Claim {
  /** The run before the claim, with its effective status (a dead `running` run is `interrupted`). */
  previous: RunRow
  /** `stepId#iteration` of step rows left `running` by the dead process, now closed as `interrupted`. */
  interruptedSteps: string[]
}

/** How `claimRun` takes a run over. */
export interface ClaimOptions {
  /** Claim a succeeded run as well (it runs again: `--resume --from`, `--resume --pipeline`). */
  reopen?: boolean
  /** Record this pipeline (name, absolute path, text) as the run's: `--resume --pipeline <file>`. */
  pipeline?: {name: string; file: string; snapshot: string}
  /**
   * A queue worker's claim: only a run that is queued, interrupted (or running under a dead process)
   * or waiting is taken; any other comes back untouched in `previous` (cancelled or finished meanwhile).
   */
  worker?: boolean
  /** Record this folder as the run's working directory (a worker's checkout). */
  workingDir?: string
}

/** A cancel request recorded on a run (`requestCancel`), seen by the process driving it on its heartbeat. */
export interface CancelRequest {
  by: string
  at: string
}

export interface RunQuery {
  /** The recorded status (running and interrupted runs are both stored as running). */
  status?: RunStatus
  /** Exactly this pipeline name. */
  pipeline?: string
  /** Text contained (case-insensitively) in the adw id or the inputs (e.g. the prompt). */
  text?: string
  limit?: number
  /** Rows to skip (newest first), for paging. */
  offset?: number
}

/** One step row with its run's pipeline, as the cost and quality figures need it. */
export type StepFact = Pick<
  StepRow,
  | 'adw_id' | 'step_id' | 'parent_id' | 'iteration' | 'status' | 'started_at' | 'duration_ms' | 'model'
  | 'input_tokens' | 'output_tokens' | 'cache_creation_tokens' | 'cache_read_tokens' | 'cost_usd'
> & {
  pipeline_name: string
  /** outputs.verdict when the step returned one (a review), else null. */
  verdict: string | null
}

/** Cost and tokens of a group of step rows (sums). */
export interface SpendSums {
  costUsd: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
}

/**
 * `Store.statsGroups`: every figure of `adw stats` grouped, in any order (src/history/stats.ts sorts,
 * fills empty days and computes the rate). The step rows counted are those of runs started at or
 * after `since`, as stepFacts gives them; a run counts in a group when one of its step rows does.
 */
export interface StatsGroups {
  /** Runs with at least one step row. */
  runs: number
  total: SpendSums
  /** By the UTC day (YYYY-MM-DD) of the step row's started_at; days without rows are absent. */
  perDay: Array<SpendSums & {day: string; runs: number}>
  perPipeline: Array<SpendSums & {pipeline: string; runs: number}>
  /** Rows with a model only; `steps`: how many. */
  perModel: Array<SpendSums & {model: string; steps: number}>
  /**
   * By step id (loop iterations together): `executions` = rows not skipped (a step only ever
   * skipped has 0: dropped by the report); spend over every row; `medianMs`: the median duration of
   * its succeeded rows with a duration (the mean of the two middle ones, rounded), else null.
   */
  perStep: Array<SpendSums & {step: string; executions: number; medianMs: number | null}>
  /**
   * Runs that have a verdict (a step's outputs.verdict, a string), grouped by how many distinct
   * loop iterations ran in them (step rows with a parent_id, not skipped): `runs`, and `passed`:
   * how many of those runs' first verdict (lowest step row id) is PASS, case-insensitively.
   */
  verdicts: Array<{attempts: number; runs: number; passed: number}>
}

/**
 * The store behind the engine and the history commands: SQLite (embedded, the default) or
 * PostgreSQL (a `postgres://` location; see open.ts). Every method is asynchronous except `log`,
 * which only buffers (the engine's hot path). Writes of runs/steps are done when their promise
 * settles, except `setCurrentStep` and `finishStep`, which may ride the next transaction; log rows
 * are batched. Both are written at `flush()`, which the engine calls at every step transition and at
 * exit (and reads of this store see them). Rows are snake_case, the same tables in both stores.
 * SQLite's methods do all their work before they return (node:sqlite is synchronous), which is what
 * lets the process 'exit' hook call them and then `flushSync()`.
 */
export interface Store extends EvalStore {
  /**
   * What to show a user: the SQLite file's path, or the Postgres URL with its password masked
   * (`postgres://user:***@host/db`).
   */
  readonly location: string
  readonly kind: 'sqlite' | 'postgres'
  /** Throws AdwError RUN_EXISTS when the id is taken. */
  createRun(run: NewRun): Promise<void>
  getRun(adwId: string): Promise<RunRow | undefined>
  listRuns(query?: RunQuery): Promise<RunRow[]>
  /** How many runs match (limit and offset ignored). */
  countRuns(query?: RunQuery): Promise<number>
  /** Every pipeline name that has a run, sorted. */
  pipelineNames(): Promise<string[]>
  /** Step rows (with their run's pipeline) of runs started at or after `since` (ISO), oldest first. */
  stepFacts(query?: {since?: string}): Promise<StepFact[]>
  /**
   * The cost page's figures over the step rows of runs started at or after `since` (ISO), grouped by
   * the database (see StatsGroups and src/store/stats-queries.ts): `adw stats` on 10,000 runs must
   * not ship every step row to JavaScript.
   */
  statsGroups(query?: {since?: string}): Promise<StatsGroups>
  /**
   * Changes whenever another connection (an `adw run` process) commits a write; cheap enough to
   * call several times a second, for live views that poll.
   */
  changeToken(): Promise<number>
  /** Most recent ids first, for "did you mean" hints. */
  recentRunIds(limit?: number): Promise<string[]>
  setRunStatus(adwId: string, status: RunStatus, patch?: {error?: string | null; currentStep?: string | null}): Promise<void>
  /**
   * Asks the run to stop, atomically: a queued run is cancelled at once (no worker took it yet; the
   * row is returned with status cancelled); a running one gets the request, which its process sees on
   * its next heartbeat. Returns the run after it; RUN_NOT_FOUND for an unknown id.
   */
  requestCancel(adwId: string, by: string): Promise<RunRow>
  /** Marks a run finished with status, finished_at and duration_ms. */
  finishRun(adwId: string, status: RunStatus, error?: string | null): Promise<void>
  /**
   * Takes a run over for this process (resume), atomically (BEGIN IMMEDIATE): throws RUN_LOCKED while
   * the recorded process is alive (this host: pid; another host: fresh heartbeat), RUN_NOT_FOUND for an
   * unknown id; returns a succeeded run untouched. Otherwise sets status running with this pid/host and
   * closes step rows the dead process left `running` as `interrupted` (they run again).
   * `reopen` claims a succeeded run too (`--from`, `--pipeline`); `pipeline` records, in the same
   * transaction, the pipeline the run continues with.
   */
  claimRun(adwId: string, opts?: ClaimOptions): Promise<Claim>
  /** Written at the next flush or write. */
  setCurrentStep(adwId: string, stepId: string | null): Promise<void>
  /** Records a sign of life; returns the run's cancel request, if one was made (the caller then stops the run). */
  heartbeat(adwId: string): Promise<CancelRequest | undefined>
  /** Inserts a `steps` row with status running; returns its id. */
  startStep(step: NewStep): Promise<number>
  /** Checked at once (throws for an unknown row); written at the next flush or write. */
  finishStep(id: number, result: {status: StepStatus; outputs?: Record<string, unknown>; error?: string | null; model?: string | null}): Promise<void>
  /** Records a skipped step (one row, status skipped, no duration). */
  skipStep(step: NewStep & {reason: string}): Promise<void>
  /** Adds usage to a step row and its run's totals in one transaction. */
  addUsage(stepRowId: number, adwId: string, usage: Usage): Promise<void>
  listSteps(adwId: string): Promise<StepRow[]>
  /** Step-row counts by status for each of the given runs (runs without steps are absent). */
  stepCounts(adwIds: string[]): Promise<Map<string, StepCounts>>
  /** Buffers a log row; written at the next flush (or when the buffer is large). */
  log(entry: NewLog): void
  flush(): Promise<void>
  queryLogs(query: LogQuery): Promise<LogRow[]>
  /** Records the run's limits in force (a resume with higher ones) and/or the time it has run so far. */
  setRunBudget(adwId: string, patch: {budget?: NewRun['budget'] | null; activeMs?: number}): Promise<void>
  /** The row of an approval gate reached (created once; a resumed run gets the row it made before). */
  requestApproval(request: ApprovalRequest): Promise<ApprovalRow>
  getApproval(adwId: string, stepId: string, iteration: number): Promise<ApprovalRow | undefined>
  /** Every gate the run reached, oldest first. */
  listApprovals(adwId: string): Promise<ApprovalRow[]>
  /** Decides the run's pending gates whose timeout has passed, as their onTimeout says; returns them. */
  expireApprovals(adwId: string): Promise<ApprovalRow[]>
  /**
   * Decides the run's pending gate, atomically: of two deciding at once exactly one wins. Throws
   * APPROVAL_INVALID (exit 2, nothing changed) when the run is not waiting, the gate is already
   * decided, or the name is not among its approvers; RUN_NOT_FOUND for an unknown run.
   */
  decideApproval(decision: Decide): Promise<ApprovalRow>
  /** Records the worktree a run works in, with this process as its creator; a second record for one id replaces the first. */
  recordWorktree(worktree: NewWorktree): Promise<void>
  getWorktree(adwId: string): Promise<WorktreeRow | undefined>
  /** Worktrees newest first; removed ones only with `removed: true`. */
  listWorktrees(query?: {removed?: boolean}): Promise<WorktreeRow[]>
  /** Sets (a time) or clears (null: re-created on resume) removed_at. */
  setWorktreeRemoved(adwId: string, removedAt: string | null): Promise<void>
  /** Stores one recording (already masked and capped by the engine). */
  recordExchange(recording: NewRecording): Promise<void>
  /** A run's recordings, oldest first. */
  listRecordings(adwId: string): Promise<RecordingRow[]>
  /** Marks run `adwId` as a replay of another (a second call for one id updates its figures). */
  recordReplay(replay: NewReplay): Promise<void>
  getReplay(adwId: string): Promise<ReplayRow | undefined>
  close(): Promise<void>
  /**
   * Synchronous last-chance writes for the process 'exit' hook (nothing async runs there). Only
   * SQLite has them; a Postgres run killed that way shows as interrupted through its heartbeat.
   */
  flushSync?(): void
  closeSync?(): void
}

/** What a recording holds: an agent API exchange, a claude-code transcript, or the run's git base. */
export type RecordingKind = 'base' | 'messages' | 'transcript'

/** A row of `recordings` (schema 8): what a run's model steps exchanged, masked, for `adw replay`. */
export interface RecordingRow {
  id: number
  adw_id: string
  /** The `steps` row it belongs to (null for the run's base). */
  step_row_id: number | null
  step_id: string | null
  iteration: number
  item_index: number | null
  attempt: number
  /** 1-based API call of the step (messages), invocation of the CLI (transcript); 0 for the base. */
  turn: number
  kind: RecordingKind
  /** sha256 hex of the request's stable parts (src/replay/request.ts); messages only. */
  request_hash: string | null
  /** JSON: the request's new part since the step's previous call (messages), else null. */
  request: string | null
  /** JSON of the API's message (messages), stream-json lines (transcript), JSON {commit, dirty} (base). */
  response: string
  bytes: number
  created_at: string
}

export interface NewRecording {
  adwId: string
  stepRowId?: number | null
  stepId?: string | null
  iteration?: number
  itemIndex?: number | null
  attempt?: number
  turn?: number
  kind: RecordingKind
  requestHash?: string | null
  request?: string | null
  response: string
  /** What the row counts against the run's record.max_bytes. @default request + response length */
  bytes?: number
}

/** Where a replayed step left its recorded conversation (adw replay). */
export interface Divergence {
  stepId: string
  iteration: number
  itemIndex?: number
  turn: number
  /** `diverged at turn N: expected …, got …` */
  message: string
}

/** A row of `replays`: run `adw_id` replayed run `replay_of`. */
export interface ReplayRow {
  adw_id: string
  replay_of: string
  /** JSON array of Divergence, or null (none). */
  divergences: string | null
  /** Model calls answered from the recording. */
  served: number
  /** Model calls sent to the real API (--live-after-divergence). */
  live: number
  created_at: string
}

export interface NewReplay {
  adwId: string
  replayOf: string
  divergences?: Divergence[]
  served?: number
  live?: number
}

export type ApprovalDecision = 'approved' | 'rejected'

/** A row of `approvals`: one approval gate reached (step and iteration), decided at most once. */
export interface ApprovalRow {
  id: number
  adw_id: string
  step_id: string
  iteration: number
  /** The gate's message, rendered (what the approver is asked). */
  message: string | null
  /** JSON array of the names allowed to decide, or null (anyone). */
  approvers: string | null
  requested_at: string
  /** When the gate times out (ISO), or null. */
  timeout_at: string | null
  /** What a timeout decides. */
  on_timeout: 'reject' | 'approve'
  decision: ApprovalDecision | null
  decided_by: string | null
  decided_at: string | null
  comment: string | null
  /** How it was decided: `cli` (adw approve/reject) or `timeout`. */
  decided_via: 'cli' | 'timeout' | null
}

export interface ApprovalRequest {
  adwId: string
  stepId: string
  iteration: number
  message: string
  approvers?: string[]
  timeoutAt?: string
  onTimeout?: 'reject' | 'approve'
}

export interface Decide {
  adwId: string
  /** The gate to decide; without it, the run's only pending one. */
  stepId?: string
  decision: ApprovalDecision
  /** Who decides (the OS user, or `--as`). */
  by: string
  /** `--comment` of an approval, `--reason` of a rejection. */
  comment?: string
  via?: 'cli' | 'timeout'
}
