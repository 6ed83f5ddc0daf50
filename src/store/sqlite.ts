import {hostname} from 'node:os'
import {resolve} from 'node:path'
import {DatabaseSync, type SQLInputValue, type StatementSync} from 'node:sqlite'

import {AdwError} from '../errors.js'
import type {Usage} from '../plugins/types.js'
import {checkDatabasePath, openFailure} from './file.js'
import {INSERT_LOG, INSERT_LOGS_PREFIX, LOG_ROW_PARAMS, LogBuffer, type LogParams} from './log-buffer.js'
import {ApprovalQueries} from './approvals.js'
import {RecordingQueries} from './recordings.js'
import {EvalQueries} from './evals.js'
import type {EvalRow, EvalRunPatch, EvalRunRow, EvalStatus, NewEval, NewEvalRun} from './eval-types.js'
import {migrate} from './schema.js'
import {effectiveStatus, lockedError, ownerAlive} from './status.js'
import {runFilter, STEP_FACTS} from './queries.js'
import {sqliteStats} from './stats-queries.js'
import type {NewRecording, NewReplay, RecordingRow, ReplayRow} from './types.js'
import type {ApprovalRequest, ApprovalRow, CancelRequest, Claim, ClaimOptions, Decide, LogQuery, LogRow, NewLog, NewRun, NewStep, NewWorktree, RunQuery, RunRow, RunStatus, StatsGroups, StepCounts, StepFact, StepRow, Store, WorktreeRow} from './types.js'
import {levelsFrom} from './values.js'

export interface OpenStoreOptions {
  /** How long a write waits for another process's lock before failing. @default 10000 */
  busyTimeoutMs?: number
  /** Buffered log rows that trigger a flush. @default 500 */
  batchSize?: number
  /** A non-empty log buffer is flushed at most this long after its first row. @default 200 */
  flushIntervalMs?: number
  /**
   * Create the database's folder when it is missing; false makes a missing folder an AdwError (a
   * `--db` flag: a typo must not silently create folders). @default true
   */
  createParent?: boolean
}

const now = (): string => new Date().toISOString()

/** What a queue worker's claim takes (ClaimOptions.worker): a run no live process drives that has not ended. */
const WORKER_CLAIMS = new Set<RunStatus>(['queued', 'interrupted', 'waiting'])

/** Log rows per multi-row INSERT: one statement for 50 rows is ~1.6× faster than 50 statements. */
const ROWS_PER_INSERT = 50
/**
 * current_step is written at most this often. Updating a runs row reads and rewrites its whole
 * record, pipeline snapshot included (300 KB for 10,000 steps): once per step, that made a step's
 * cost grow with the pipeline's size.
 */
const CURRENT_STEP_INTERVAL_MS = 250


/**
 * Opens (creating it, and its folder unless `createParent` is false) and migrates the SQLite store
 * at `path`. A path that is a directory, not an SQLite file, or cannot be opened: AdwError, exit 2.
 */
export function openSqliteStore(path: string, options: OpenStoreOptions = {}): Store {
  const file = resolve(path)
  checkDatabasePath(file, {createParent: options.createParent ?? true})
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file, {timeout: options.busyTimeoutMs ?? 10_000, enableForeignKeyConstraints: true})
  } catch (error) {
    throw openFailure(file, error)
  }
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;')
    migrate(db, file)
  } catch (error) {
    db.close()
    throw openFailure(file, error)
  }
  return new SqliteStore(db, file, options)
}

/** Runs `fn` inside BEGIN IMMEDIATE: the write lock is taken up front, so the busy timeout applies. */
function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = fn()
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw error
  }
}

const openStores = new Set<SqliteStore>()
let exitHookInstalled = false
/** Last-chance flush: buffered log rows survive a process.exit() the engine did not see coming. */
function closeAllOnExit(): void {
  for (const store of openStores) {
    try {
      store.closeSync()
    } catch {
      // Exiting anyway; nothing better to do with the error here.
    }
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const
  readonly location: string
  private readonly db: DatabaseSync
  private readonly buffer: LogBuffer
  private readonly statements = new Map<string, StatementSync>()
  /**
   * Writes that return nothing to the caller (current step, a step's end), applied in the next
   * transaction with the buffered log rows: the engine flushes right after each, so a step costs
   * two fewer commits. Reads in this process flush them first (read-your-writes).
   */
  private pending: Array<() => void> = []
  /** current_step values not yet queued (see CURRENT_STEP_INTERVAL_MS). */
  private readonly currentSteps = new Map<string, string | null>()
  private currentStepsAt = -Infinity
  private currentStepsTimer: NodeJS.Timeout | undefined
  /** started_at (ms) of step rows this store started, so finishStep needs no SELECT. */
  private readonly stepStarts = new Map<number, number>()
  private closed = false
  private readonly approvals: ApprovalQueries
  private readonly recordings: RecordingQueries
  private readonly evals: EvalQueries

  constructor(db: DatabaseSync, path: string, options: OpenStoreOptions) {
    this.db = db
    this.location = path
    this.approvals = new ApprovalQueries(sql => this.stmt(sql), fn => transaction(this.db, fn), path)
    this.recordings = new RecordingQueries(sql => this.stmt(sql))
    this.evals = new EvalQueries(sql => this.stmt(sql), fn => transaction(this.db, fn))
    this.buffer = new LogBuffer({
      batchSize: options.batchSize ?? 500,
      intervalMs: options.flushIntervalMs ?? 200,
      flush: () => this.flushSync(),
    })
    openStores.add(this)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.on('exit', closeAllOnExit)
    }
  }

  /** Prepared statements are cached by their SQL text. */
  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  async createRun(run: NewRun): Promise<void> {
    const t = now()
    const {changes} = this.stmt(
      `INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, pid, host, heartbeat_at, started_at, executor_aliases, budget, graph, queue)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adw_id) DO NOTHING`,
    ).run(run.adwId, run.pipelineName, run.pipelineFile, run.pipelineSnapshot, JSON.stringify(run.inputs ?? {}), run.workingDir, run.queue ? 'queued' : 'running', run.queue ? null : process.pid, run.queue ? null : hostname(), run.queue ? null : t, t, run.executorAliases?.length ? JSON.stringify(run.executorAliases) : null, run.budget && Object.keys(run.budget).length ? JSON.stringify(run.budget) : null, run.graph ? JSON.stringify(run.graph) : null, run.queue ?? null)
    if (changes === 0) {
      throw new AdwError('RUN_EXISTS', `A run with adw_id "${run.adwId}" already exists in ${this.location}.`, {
        suggestions: ['Choose another --adw-id (or leave it out for a fresh one)', `To continue that run: adw run --resume --adw-id ${run.adwId}`],
      })
    }
  }

  async getRun(adwId: string): Promise<RunRow | undefined> {
    this.flushPending()
    return this.stmt('SELECT * FROM runs WHERE adw_id = ?').get(adwId) as RunRow | undefined
  }

  async listRuns(query: RunQuery = {}): Promise<RunRow[]> {
    this.flushPending()
    const {where, values} = runFilter(query)
    return this.stmt(`SELECT * FROM runs ${where} ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...values, query.limit ?? -1, query.offset ?? 0) as unknown as RunRow[]
  }

  async countRuns(query: RunQuery = {}): Promise<number> {
    this.flushPending()
    const {where, values} = runFilter(query)
    return (this.stmt(`SELECT count(*) AS n FROM runs ${where}`).get(...values) as {n: number}).n
  }

  async pipelineNames(): Promise<string[]> {
    return (this.stmt('SELECT DISTINCT pipeline_name FROM runs ORDER BY pipeline_name').all() as Array<{pipeline_name: string}>).map(r => r.pipeline_name)
  }

  async stepFacts(query: {since?: string} = {}): Promise<StepFact[]> {
    this.flushPending()
    return this.stmt(STEP_FACTS).all(query.since ?? '') as unknown as StepFact[]
  }

  async statsGroups(query: {since?: string} = {}): Promise<StatsGroups> {
    this.flushPending()
    return sqliteStats(sql => this.stmt(sql), query.since ?? '')
  }

  async changeToken(): Promise<number> {
    return (this.stmt('PRAGMA data_version').get() as {data_version: number}).data_version
  }

  async recentRunIds(limit = 10): Promise<string[]> {
    const rows = this.stmt('SELECT adw_id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as Array<{adw_id: string}>
    return rows.map(r => r.adw_id)
  }

  async setRunStatus(adwId: string, status: RunStatus, patch: {error?: string | null; currentStep?: string | null} = {}): Promise<void> {
    if (patch.currentStep !== undefined) this.currentSteps.delete(adwId)
    // Buffered logs go first, in the same transaction: whoever sees the new status sees every row before it.
    this.writeWithLogs(() => {
      const sets = ['status = ?']
      const values: SQLInputValue[] = [status]
      // 'running' means this process drives the run now (resume): record who, for effectiveStatus.
      if (status === 'running') {
        sets.push('pid = ?', 'host = ?', 'heartbeat_at = ?', 'finished_at = NULL', 'duration_ms = NULL')
        values.push(process.pid, hostname(), now())
      }
      if (patch.error !== undefined) sets.push('error = ?'), values.push(patch.error)
      if (patch.currentStep !== undefined) sets.push('current_step = ?'), values.push(patch.currentStep)
      this.mustChange(this.stmt(`UPDATE runs SET ${sets.join(', ')} WHERE adw_id = ?`).run(...values, adwId).changes, adwId)
    })
  }

  async finishRun(adwId: string, status: RunStatus, error: string | null = null): Promise<void> {
    this.currentSteps.delete(adwId) // finished: current_step is NULL from now on
    this.writeWithLogs(() => {
      const run = this.stmt('SELECT started_at FROM runs WHERE adw_id = ?').get(adwId) as {started_at: string} | undefined
      if (!run) this.mustChange(0, adwId)
      const finished = new Date()
      const duration = Math.max(0, finished.getTime() - Date.parse(run!.started_at))
      this.stmt('UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, current_step = NULL, heartbeat_at = ? WHERE adw_id = ?').run(
        status,
        finished.toISOString(),
        duration,
        error,
        finished.toISOString(),
        adwId,
      )
    })
  }

  async claimRun(adwId: string, opts: ClaimOptions = {}): Promise<Claim> {
    let claim: Claim | undefined
    this.currentSteps.delete(adwId)
    // One IMMEDIATE transaction: of two processes claiming at once, the second reads the first's pid.
    this.writeWithLogs(() => {
      const run = this.stmt('SELECT * FROM runs WHERE adw_id = ?').get(adwId) as RunRow | undefined
      if (!run) return this.mustChange(0, adwId)
      const previous = {...run, status: effectiveStatus(run)}
      if ((run.status === 'succeeded' && !opts.reopen) || (opts.worker && !WORKER_CLAIMS.has(previous.status) && previous.status !== 'running')) {
        claim = {previous, interruptedSteps: []}
        return
      }
      // A run waiting at a gate under `adw run --wait` is still driven by that live process.
      if ((run.status === 'running' || (run.status === 'waiting' && run.finished_at === null)) && ownerAlive(run)) throw lockedError(run, this.location)
      const t = now()
      // A step row still `running` belongs to the process that died: close it as `interrupted`,
      // ending at the last sign of life, so it never shows as running again and always re-runs.
      const died = run.heartbeat_at ?? t
      const who = run.pid === null ? 'its adw process' : `adw process ${run.pid}${run.host ? ` on ${run.host}` : ''}`
      const stale = this.stmt("SELECT step_id, iteration FROM steps WHERE adw_id = ? AND status = 'running' ORDER BY id").all(adwId) as Array<{step_id: string; iteration: number}>
      this.stmt(
        `UPDATE steps SET status = 'interrupted', finished_at = MAX(started_at, ?), error = ?,
           duration_ms = MAX(0, CAST(ROUND((julianday(MAX(started_at, ?)) - julianday(started_at)) * 86400000) AS INTEGER))
         WHERE adw_id = ? AND status = 'running'`,
      ).run(died, `interrupted: ${who} stopped while this step was running; it runs again on resume`, died, adwId)
      // A queued run starts now (its start time was when it was queued); a cancel request is spent.
      this.stmt(
        `UPDATE runs SET status = ?, pid = ?, host = ?, heartbeat_at = ?, finished_at = NULL, duration_ms = NULL, error = NULL, current_step = NULL,
           started_at = CASE WHEN status = 'queued' THEN ? ELSE started_at END, working_dir = COALESCE(?, working_dir), cancel_requested_at = NULL, cancel_requested_by = NULL
         WHERE adw_id = ?`,
      ).run('running', process.pid, hostname(), t, t, opts.workingDir ?? null, adwId)
      if (opts.pipeline) {
        const p = opts.pipeline
        this.stmt('UPDATE runs SET pipeline_name = ?, pipeline_file = ?, pipeline_snapshot = ? WHERE adw_id = ?').run(p.name, p.file, p.snapshot, adwId)
      }
      claim = {previous, interruptedSteps: stale.map(s => `${s.step_id}#${s.iteration}`)}
    })
    return claim!
  }

  /**
   * A progress hint: written with the next transaction, at most every CURRENT_STEP_INTERVAL_MS
   * (a timer writes the last value of a burst). Reads of this store see it at once.
   */
  async setCurrentStep(adwId: string, stepId: string | null): Promise<void> {
    this.currentSteps.set(adwId, stepId)
    if (performance.now() - this.currentStepsAt >= CURRENT_STEP_INTERVAL_MS) this.queueCurrentSteps()
    else if (!this.currentStepsTimer) {
      this.currentStepsTimer = setTimeout(() => {
        this.currentStepsTimer = undefined
        this.queueCurrentSteps()
        try {
          this.flushSync()
        } catch {
          // Stays queued; the next write retries it.
        }
      }, CURRENT_STEP_INTERVAL_MS)
      this.currentStepsTimer.unref()
    }
  }

  /** Moves the current_step values into the deferred writes of the next transaction. */
  private queueCurrentSteps(): void {
    if (this.currentSteps.size === 0) return
    const entries = [...this.currentSteps]
    this.currentSteps.clear()
    this.currentStepsAt = performance.now()
    this.pending.push(() => {
      for (const [adwId, stepId] of entries) this.stmt('UPDATE runs SET current_step = ? WHERE adw_id = ?').run(stepId, adwId)
    })
  }

  async heartbeat(adwId: string): Promise<CancelRequest | undefined> {
    const row = this.stmt('UPDATE runs SET heartbeat_at = ? WHERE adw_id = ? RETURNING cancel_requested_at, cancel_requested_by').get(now(), adwId) as
      | {cancel_requested_at: string | null; cancel_requested_by: string | null}
      | undefined
    return row?.cancel_requested_at ? {at: row.cancel_requested_at, by: row.cancel_requested_by ?? 'unknown'} : undefined
  }

  async requestCancel(adwId: string, by: string): Promise<RunRow> {
    let after: RunRow | undefined
    this.writeWithLogs(() => {
      const t = now()
      // A queued run has no process to tell: it is cancelled here, and the worker that gets its job skips it.
      this.stmt(
        `UPDATE runs SET cancel_requested_at = ?, cancel_requested_by = ?,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
           finished_at = CASE WHEN status = 'queued' THEN ? ELSE finished_at END,
           error = CASE WHEN status = 'queued' THEN 'cancelled before a worker took it' ELSE error END
         WHERE adw_id = ?`,
      ).run(t, by, t, adwId)
      after = this.stmt('SELECT * FROM runs WHERE adw_id = ?').get(adwId) as RunRow | undefined
      if (!after) this.mustChange(0, adwId)
    })
    return after!
  }

  async startStep(step: NewStep): Promise<number> {
    const started = new Date()
    let id = 0
    const key = step.contentKey
    // With whatever is pending (the previous step's end, buffered rows): one commit, not several.
    this.writeWithLogs(() => {
      const {lastInsertRowid} = this.stmt(
        `INSERT INTO steps (adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, content_key, key_parts, item_index, attempt) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      ).run(step.adwId, step.stepId, step.stepName ?? null, step.parentId ?? null, step.iteration, step.executor ?? null, started.toISOString(), key?.key ?? null, key ? JSON.stringify(key.parts) : null, step.itemIndex ?? null, step.attempt ?? 1)
      id = Number(lastInsertRowid)
    })
    this.stepStarts.set(id, started.getTime())
    return id
  }

  /** Checked now, written with the next transaction (the engine flushes right after it). */
  async finishStep(id: number, result: {status: StepRow['status']; outputs?: Record<string, unknown>; error?: string | null; model?: string | null}): Promise<void> {
    let startedMs = this.stepStarts.get(id)
    if (startedMs === undefined) {
      this.flushPending()
      const row = this.stmt('SELECT started_at FROM steps WHERE id = ?').get(id) as {started_at: string} | undefined
      if (!row) throw new Error(`finishStep: no step row ${id} (a bug in the caller)`)
      startedMs = Date.parse(row.started_at)
    }
    this.stepStarts.delete(id)
    const finished = new Date()
    const values: SQLInputValue[] = [
      result.status,
      finished.toISOString(),
      Math.max(0, finished.getTime() - startedMs),
      result.outputs === undefined ? null : JSON.stringify(result.outputs),
      result.error ?? null,
      result.model ?? null,
      id,
    ]
    this.pending.push(() => {
      this.stmt('UPDATE steps SET status = ?, finished_at = ?, duration_ms = ?, outputs = ?, error = ?, model = COALESCE(?, model) WHERE id = ?').run(...values)
    })
  }

  async skipStep(step: NewStep & {reason: string}): Promise<void> {
    const t = now()
    this.stmt(
      `INSERT INTO steps (adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, finished_at, reason, item_index) VALUES (?, ?, ?, ?, ?, ?, 'skipped', ?, ?, ?, ?)`,
    ).run(step.adwId, step.stepId, step.stepName ?? null, step.parentId ?? null, step.iteration, step.executor ?? null, t, t, step.reason, step.itemIndex ?? null)
  }

  async addUsage(stepRowId: number, adwId: string, usage: Usage): Promise<void> {
    const values = [usage.inputTokens ?? 0, usage.outputTokens ?? 0, usage.cacheCreationTokens ?? 0, usage.cacheReadTokens ?? 0, usage.costUsd ?? 0]
    const add = `input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?,
                 cache_read_tokens = cache_read_tokens + ?, cost_usd = cost_usd + ?`
    transaction(this.db, () => {
      this.stmt(`UPDATE steps SET ${add}, model = COALESCE(?, model) WHERE id = ?`).run(...values, usage.model ?? null, stepRowId)
      this.stmt(`UPDATE runs SET ${add} WHERE adw_id = ?`).run(...values, adwId)
    })
  }

  async listSteps(adwId: string): Promise<StepRow[]> {
    this.flushPending()
    return this.stmt('SELECT * FROM steps WHERE adw_id = ? ORDER BY id').all(adwId) as unknown as StepRow[]
  }

  async stepCounts(adwIds: string[]): Promise<Map<string, StepCounts>> {
    this.flushPending()
    const counts = new Map<string, StepCounts>()
    const get = this.stmt('SELECT status, count(*) AS n FROM steps WHERE adw_id = ? GROUP BY status')
    for (const id of adwIds) {
      const rows = get.all(id) as Array<{status: StepRow['status']; n: number}>
      if (rows.length === 0) continue
      const c: StepCounts = {total: 0, succeeded: 0, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0}
      for (const r of rows) {
        c[r.status] = r.n
        c.total += r.n
      }
      counts.set(id, c)
    }
    return counts
  }

  log(entry: NewLog): void {
    this.buffer.push(entry)
  }

  async flush(): Promise<void> {
    this.flushSync()
  }

  /** The 'exit' hook's flush (and the log buffer's, when it fills): synchronous, as SQLite is. */
  flushSync(): void {
    if (this.buffer.size > 0 || this.pending.length > 0) this.writeWithLogs()
  }

  /** Before a read: deferred writes of this process first, so it reads what it wrote. */
  private flushPending(): void {
    this.queueCurrentSteps()
    if (this.pending.length > 0) this.writeWithLogs()
  }

  async queryLogs(query: LogQuery): Promise<LogRow[]> {
    const where = ['adw_id = ?']
    const values: SQLInputValue[] = [query.adwId]
    if (query.level) where.push('log_level = ?'), values.push(query.level)
    if (query.minLevel && query.minLevel !== 'DEBUG') {
      const levels = levelsFrom(query.minLevel)
      where.push(`log_level IN (${levels.map(() => '?').join(', ')})`), values.push(...levels)
    }
    if (query.step !== undefined) where.push('step_name = ?'), values.push(query.step)
    if (query.type) where.push('log_type = ?'), values.push(query.type)
    if (query.afterId !== undefined) where.push('id > ?'), values.push(query.afterId)
    if (query.beforeId !== undefined) where.push('id < ?'), values.push(query.beforeId)
    const select = `SELECT * FROM agent_logs WHERE ${where.join(' AND ')}`
    if (query.limit !== undefined) {
      // The last N rows, returned oldest first.
      return this.stmt(`SELECT * FROM (${select} ORDER BY id DESC LIMIT ?) ORDER BY id`).all(...values, query.limit) as unknown as LogRow[]
    }
    if (query.head !== undefined) return this.stmt(`${select} ORDER BY id LIMIT ?`).all(...values, query.head) as unknown as LogRow[]
    return this.stmt(`${select} ORDER BY id`).all(...values) as unknown as LogRow[]
  }

  async setRunBudget(adwId: string, patch: {budget?: NewRun['budget'] | null; activeMs?: number}): Promise<void> {
    this.writeWithLogs(() => {
      if (patch.budget !== undefined) {
        const json = patch.budget && Object.keys(patch.budget).length ? JSON.stringify(patch.budget) : null
        this.mustChange(this.stmt('UPDATE runs SET budget = ? WHERE adw_id = ?').run(json, adwId).changes, adwId)
      }
      if (patch.activeMs !== undefined) this.mustChange(this.stmt('UPDATE runs SET active_ms = ? WHERE adw_id = ?').run(Math.round(patch.activeMs), adwId).changes, adwId)
    })
  }

  async requestApproval(request: ApprovalRequest): Promise<ApprovalRow> {
    return this.approvals.request(request)
  }

  async getApproval(adwId: string, stepId: string, iteration: number): Promise<ApprovalRow | undefined> {
    return this.approvals.get(adwId, stepId, iteration)
  }

  async listApprovals(adwId: string): Promise<ApprovalRow[]> {
    return this.approvals.list(adwId)
  }

  async expireApprovals(adwId: string): Promise<ApprovalRow[]> {
    this.flushPending()
    return this.approvals.expire(adwId)
  }

  async decideApproval(decision: Decide): Promise<ApprovalRow> {
    this.flushPending()
    return this.approvals.decide(decision)
  }

  async recordWorktree(w: NewWorktree): Promise<void> {
    this.stmt(
      `INSERT INTO worktrees (adw_id, repo, base_ref, base_commit, branch, path, pid, host, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (adw_id) DO UPDATE SET repo = excluded.repo, base_ref = excluded.base_ref, base_commit = excluded.base_commit, branch = excluded.branch,
         path = excluded.path, pid = excluded.pid, host = excluded.host, created_at = excluded.created_at, removed_at = NULL`,
    ).run(w.adwId, w.repo, w.baseRef, w.baseCommit, w.branch, w.path, process.pid, hostname(), now())
  }

  async getWorktree(adwId: string): Promise<WorktreeRow | undefined> {
    return this.stmt('SELECT * FROM worktrees WHERE adw_id = ?').get(adwId) as WorktreeRow | undefined
  }

  async listWorktrees(query: {removed?: boolean} = {}): Promise<WorktreeRow[]> {
    const where = query.removed ? '' : 'WHERE removed_at IS NULL'
    return this.stmt(`SELECT * FROM worktrees ${where} ORDER BY created_at DESC, rowid DESC`).all() as unknown as WorktreeRow[]
  }

  async setWorktreeRemoved(adwId: string, removedAt: string | null): Promise<void> {
    this.stmt('UPDATE worktrees SET removed_at = ? WHERE adw_id = ?').run(removedAt, adwId)
  }

  async recordExchange(recording: NewRecording): Promise<void> {
    this.recordings.add(recording)
  }

  async listRecordings(adwId: string): Promise<RecordingRow[]> {
    return this.recordings.list(adwId)
  }

  async recordReplay(replay: NewReplay): Promise<void> {
    this.recordings.addReplay(replay)
  }

  async getReplay(adwId: string): Promise<ReplayRow | undefined> {
    return this.recordings.getReplay(adwId)
  }

  async createEval(e: NewEval, variants: NewEvalRun[]): Promise<void> {
    this.evals.create(e, variants)
  }

  async getEval(evalId: string): Promise<EvalRow | undefined> {
    return this.evals.get(evalId)
  }

  async listEvals(query: {limit?: number} = {}): Promise<EvalRow[]> {
    return this.evals.list(query.limit)
  }

  async setEvalStatus(evalId: string, status: EvalStatus, error?: string | null): Promise<void> {
    this.evals.setStatus(evalId, status, error)
  }

  async listEvalRuns(evalId: string): Promise<EvalRunRow[]> {
    return this.evals.runs(evalId)
  }

  async updateEvalRun(evalId: string, runKey: string, patch: EvalRunPatch): Promise<void> {
    this.evals.update(evalId, runKey, patch)
  }

  async evalOfRun(adwId: string): Promise<{evalId: string; runKey: string} | undefined> {
    return this.evals.ofRun(adwId)
  }

  async close(): Promise<void> {
    this.closeSync()
  }

  closeSync(): void {
    if (this.closed) return
    try {
      if (this.currentStepsTimer) clearTimeout(this.currentStepsTimer), (this.currentStepsTimer = undefined)
      this.queueCurrentSteps()
      this.flushSync()
    } finally {
      this.closed = true
      this.buffer.dispose()
      openStores.delete(this)
      this.db.close()
    }
  }

  /**
   * Writes every buffered log row and every deferred write, then runs `fn`, in one transaction; on
   * failure the rows and writes stay queued.
   */
  private writeWithLogs(fn?: () => void): void {
    const rows = this.buffer.take()
    const pending = this.pending
    this.pending = []
    try {
      transaction(this.db, () => {
        this.insertLogs(rows)
        for (const write of pending) write()
        fn?.()
      })
    } catch (error) {
      this.buffer.restore(rows)
      this.pending = pending.concat(this.pending)
      throw error
    }
  }

  /** Multi-row INSERTs of ROWS_PER_INSERT rows, then one statement per remaining row. */
  private insertLogs(rows: LogParams[]): void {
    let i = 0
    if (rows.length >= ROWS_PER_INSERT) {
      const many = this.stmt(INSERT_LOGS_PREFIX + Array(ROWS_PER_INSERT).fill(LOG_ROW_PARAMS).join(', '))
      const params: SQLInputValue[] = []
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
        params.length = 0
        for (let j = i; j < i + ROWS_PER_INSERT; j++) for (const v of rows[j]) params.push(v)
        many.run(...params)
      }
    }
    const one = this.stmt(INSERT_LOG)
    for (; i < rows.length; i++) one.run(...rows[i])
  }

  private mustChange(changes: number | bigint, adwId: string): void {
    if (Number(changes) === 0) throw new AdwError('RUN_NOT_FOUND', `No run with adw_id "${adwId}" in ${this.location}.`)
  }
}
