/**
 * The Store on PostgreSQL: the SQLite store's behaviour, table for table, over a `pg` pool. Writes
 * of this store run one after another (a promise chain), so the rows land in the order the engine
 * made them; log rows are buffered and written with one multi-row INSERT in the next transaction,
 * together with the deferred writes (a step's end, the current step) — as the SQLite store does,
 * a step costs one transaction. Reads wait for this store's writes first (read-your-writes).
 */
import {hostname} from 'node:os'

import {AdwError} from '../../errors.js'
import type {Usage} from '../../plugins/types.js'
import {LogBuffer, type LogParams} from '../log-buffer.js'
import {effectiveStatus, lockedError, ownerAlive} from '../status.js'
import type {ApprovalRequest, ApprovalRow, CancelRequest, Claim, ClaimOptions, Decide, LogQuery, LogRow, NewLog, NewRecording, NewReplay, NewRun, NewStep, NewWorktree, RecordingRow, ReplayRow, RunQuery, RunRow, RunStatus, StepCounts, StepFact, StatsGroups, StepRow, Store, WorktreeRow} from '../types.js'
import type {EvalRow, EvalRunPatch, EvalRunRow, EvalStatus, NewEval, NewEvalRun} from '../eval-types.js'
import {PgApprovals} from './approvals.js'
import type {ChangeListener} from './changes.js'
import {DURABLE, type Db, type Query} from './db.js'
import {PgEvals} from './evals.js'
import {pgStats} from './stats.js'
import {INSERT_LOGS, logSelect, runFilter, STEP_FACTS, type Value} from './queries.js'

export interface PgStoreOptions {
  /** Buffered log rows that trigger a flush. @default 500 */
  batchSize?: number
  /** A non-empty log buffer is flushed at most this long after its first row. @default 200 */
  flushIntervalMs?: number
}

const now = (): string => new Date().toISOString()
/** What a queue worker's claim takes (ClaimOptions.worker), as in the SQLite store. */
const WORKER_CLAIMS = new Set<RunStatus>(['queued', 'interrupted', 'waiting'])
/** As in the SQLite store: current_step is written at most this often (it rides the next transaction). */
const CURRENT_STEP_INTERVAL_MS = 250
const ADD_USAGE = `input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?,
  cache_read_tokens = cache_read_tokens + ?, cost_usd = cost_usd + ?`

interface Write {
  sql: string
  values: Value[]
  /** A later write with the same key replaces this one (the current step of one run). */
  key?: string
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const
  private chain: Promise<unknown> = Promise.resolve()
  private readonly buffer: LogBuffer
  /** Writes that return nothing to the caller, applied in the next transaction (see the SQLite store). */
  private pending: Write[] = []
  private readonly currentSteps = new Map<string, string | null>()
  private currentStepsAt = -Infinity
  private currentStepsTimer: NodeJS.Timeout | undefined
  private readonly stepStarts = new Map<number, number>()
  private flushQueued = false
  private closed: Promise<void> | undefined
  private readonly approvals: PgApprovals
  private readonly evals: PgEvals

  constructor(
    private readonly db: Db,
    /** The URL, password masked. */
    readonly location: string,
    private readonly changes: ChangeListener,
    options: PgStoreOptions = {},
  ) {
    this.approvals = new PgApprovals(db, location)
    this.evals = new PgEvals(db)
    this.buffer = new LogBuffer({
      batchSize: options.batchSize ?? 500,
      intervalMs: options.flushIntervalMs ?? 200,
      flush: () => this.flushInBackground(),
    })
  }

  /** Runs `fn` after every write this store started before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }

  /**
   * Buffered log rows and deferred writes, then `fn`, in one transaction; on failure they stay
   * queued. `oneStatement`: `fn` runs exactly one statement, so when nothing else is queued it runs
   * alone, without BEGIN and COMMIT (two round trips fewer: most step starts).
   */
  private writeWithLogs<T>(fn?: (q: Query) => Promise<T>, oneStatement = false): Promise<T | undefined> {
    return this.serial(async () => {
      const rows = this.buffer.take()
      const pending = this.pending
      this.pending = []
      const queued = combine(rows, pending)
      if (!queued && !fn) return undefined
      try {
        // One statement needs no BEGIN and COMMIT: two round trips fewer (a flush; most step starts).
        if (!queued) return await (oneStatement ? fn!(this.db.query) : this.db.tx(fn!))
        if (!fn) return void (await this.db.query(queued.sql, queued.values))
        return await this.db.tx(async q => {
          await q(queued.sql, queued.values)
          return fn(q)
        })
      } catch (error) {
        this.buffer.restore(rows)
        this.pending = pending.concat(this.pending)
        throw error
      }
    })
  }

  private write<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.serial(() => fn(this.db.query))
  }

  /** The log buffer is full or its timer fired: one flush queued at a time; a failure keeps the rows for the next. */
  private flushInBackground(): void {
    if (this.flushQueued) return
    this.flushQueued = true
    this.serial(async () => void (this.flushQueued = false))
    this.writeWithLogs().catch(() => {})
  }

  /** Before a read: this store's deferred writes first, and every write it started. */
  private async settle(): Promise<void> {
    this.queueCurrentSteps()
    if (this.pending.length > 0) await this.writeWithLogs()
    else await this.chain
  }

  private notFound(adwId: string): AdwError {
    return new AdwError('RUN_NOT_FOUND', `No run with adw_id "${adwId}" in ${this.location}.`)
  }

  async createRun(run: NewRun): Promise<void> {
    const t = now()
    const {rowCount} = await this.write(q =>
      q(
        `INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, pid, host, heartbeat_at, started_at, executor_aliases, budget, graph, queue)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adw_id) DO NOTHING`,
        // A queued run (adw run --queue) has no process driving it yet.
        [run.adwId, run.pipelineName, run.pipelineFile, run.pipelineSnapshot, JSON.stringify(run.inputs ?? {}), run.workingDir, run.queue ? 'queued' : 'running', run.queue ? null : process.pid, run.queue ? null : hostname(), run.queue ? null : t, t,
          run.executorAliases?.length ? JSON.stringify(run.executorAliases) : null, run.budget && Object.keys(run.budget).length ? JSON.stringify(run.budget) : null, run.graph ? JSON.stringify(run.graph) : null, run.queue ?? null],
      ),
    )
    if (rowCount === 0) {
      throw new AdwError('RUN_EXISTS', `A run with adw_id "${run.adwId}" already exists in ${this.location}.`, {
        suggestions: ['Choose another --adw-id (or leave it out for a fresh one)', `To continue that run: adw run --resume --adw-id ${run.adwId}`],
      })
    }
  }

  async getRun(adwId: string): Promise<RunRow | undefined> {
    await this.settle()
    return (await this.db.query<RunRow>('SELECT * FROM runs WHERE adw_id = ?', [adwId])).rows[0]
  }

  async listRuns(query: RunQuery = {}): Promise<RunRow[]> {
    await this.settle()
    const {where, values} = runFilter(query)
    return (await this.db.query<RunRow>(`SELECT * FROM runs ${where} ORDER BY started_at DESC, adw_id DESC LIMIT ? OFFSET ?`, [...values, query.limit ?? null, query.offset ?? 0])).rows
  }

  async countRuns(query: RunQuery = {}): Promise<number> {
    await this.settle()
    const {where, values} = runFilter(query)
    return (await this.db.query<{n: number}>(`SELECT count(*) AS n FROM runs ${where}`, values)).rows[0].n
  }

  async pipelineNames(): Promise<string[]> {
    await this.settle()
    // COLLATE "C": byte order, as SQLite sorts.
    return (await this.db.query<{pipeline_name: string}>('SELECT pipeline_name FROM runs GROUP BY pipeline_name ORDER BY pipeline_name COLLATE "C"')).rows.map(r => r.pipeline_name)
  }

  async stepFacts(query: {since?: string} = {}): Promise<StepFact[]> {
    await this.settle()
    return (await this.db.query<StepFact>(STEP_FACTS, [query.since ?? ''])).rows
  }

  async statsGroups(query: {since?: string} = {}): Promise<StatsGroups> {
    await this.settle()
    return pgStats(this.db.query, query.since ?? '')
  }

  changeToken(): Promise<number> {
    return this.changes.token()
  }

  async recentRunIds(limit = 10): Promise<string[]> {
    await this.settle()
    return (await this.db.query<{adw_id: string}>('SELECT adw_id FROM runs ORDER BY started_at DESC, adw_id DESC LIMIT ?', [limit])).rows.map(r => r.adw_id)
  }

  async setRunStatus(adwId: string, status: RunStatus, patch: {error?: string | null; currentStep?: string | null} = {}): Promise<void> {
    if (patch.currentStep !== undefined) this.currentSteps.delete(adwId)
    const sets = ['status = ?']
    const values: Value[] = [status]
    // 'running' means this process drives the run now (resume): record who, for effectiveStatus.
    if (status === 'running') {
      sets.push('pid = ?', 'host = ?', 'heartbeat_at = ?', 'finished_at = NULL', 'duration_ms = NULL')
      values.push(process.pid, hostname(), now())
    }
    if (patch.error !== undefined) sets.push('error = ?'), values.push(patch.error)
    if (patch.currentStep !== undefined) sets.push('current_step = ?'), values.push(patch.currentStep)
    // Buffered logs go first, in the same transaction: whoever sees the new status sees every row before it.
    await this.writeWithLogs(async q => {
      if ((await q(`UPDATE runs SET ${sets.join(', ')} WHERE adw_id = ?`, [...values, adwId])).rowCount === 0) throw this.notFound(adwId)
    }, true)
  }

  async finishRun(adwId: string, status: RunStatus, error: string | null = null): Promise<void> {
    this.currentSteps.delete(adwId)
    const t = now()
    await this.writeWithLogs(async q => {
      const {rowCount} = await q(
        `UPDATE runs SET status = ?, finished_at = ?, error = ?, current_step = NULL, heartbeat_at = ?,
           duration_ms = GREATEST(0, round(extract(epoch FROM (?::timestamptz - started_at::timestamptz)) * 1000))
         WHERE adw_id = ?`,
        [status, t, error, t, t, adwId],
      )
      if (rowCount === 0) throw this.notFound(adwId)
    }, true)
  }

  async claimRun(adwId: string, opts: ClaimOptions = {}): Promise<Claim> {
    this.currentSteps.delete(adwId)
    // The run's row is locked to the end of the transaction: of two processes claiming at once, the second reads the first's pid.
    const claim = await this.writeWithLogs(async (q): Promise<Claim> => {
      await q(DURABLE)
      const run = (await q<RunRow>('SELECT * FROM runs WHERE adw_id = ? FOR UPDATE', [adwId])).rows[0]
      if (!run) throw this.notFound(adwId)
      const previous = {...run, status: effectiveStatus(run)}
      // A worker takes only a run no live process drives that has not ended (cancelled or finished meanwhile: left alone).
      if ((run.status === 'succeeded' && !opts.reopen) || (opts.worker && !WORKER_CLAIMS.has(previous.status) && previous.status !== 'running')) return {previous, interruptedSteps: []}
      if ((run.status === 'running' || (run.status === 'waiting' && run.finished_at === null)) && ownerAlive(run)) throw lockedError(run, this.location)
      const t = now()
      const died = run.heartbeat_at ?? t
      const who = run.pid === null ? 'its adw process' : `adw process ${run.pid}${run.host ? ` on ${run.host}` : ''}`
      const {rows: stale} = await q<{id: number; step_id: string; iteration: number}>(
        `UPDATE steps SET status = 'interrupted', finished_at = GREATEST(started_at, ?), error = ?,
           duration_ms = GREATEST(0, round(extract(epoch FROM (GREATEST(started_at, ?)::timestamptz - started_at::timestamptz)) * 1000))
         WHERE adw_id = ? AND status = 'running' RETURNING id, step_id, iteration`,
        [died, `interrupted: ${who} stopped while this step was running; it runs again on resume`, died, adwId],
      )
      // A queued run starts now (its start time was when it was queued); a cancel request is spent.
      await q(
        `UPDATE runs SET status = ?, pid = ?, host = ?, heartbeat_at = ?, finished_at = NULL, duration_ms = NULL, error = NULL, current_step = NULL,
           started_at = CASE WHEN status = 'queued' THEN ? ELSE started_at END, working_dir = COALESCE(?, working_dir), cancel_requested_at = NULL, cancel_requested_by = NULL
         WHERE adw_id = ?`,
        ['running', process.pid, hostname(), t, t, opts.workingDir ?? null, adwId],
      )
      if (opts.pipeline) {
        const p = opts.pipeline
        await q('UPDATE runs SET pipeline_name = ?, pipeline_file = ?, pipeline_snapshot = ? WHERE adw_id = ?', [p.name, p.file, p.snapshot, adwId])
      }
      return {previous, interruptedSteps: stale.sort((a, b) => a.id - b.id).map(s => `${s.step_id}#${s.iteration}`)}
    })
    return claim!
  }

  /** A progress hint, as in the SQLite store: rides the next transaction, at most every 250 ms. */
  setCurrentStep(adwId: string, stepId: string | null): Promise<void> {
    this.currentSteps.set(adwId, stepId)
    if (performance.now() - this.currentStepsAt >= CURRENT_STEP_INTERVAL_MS) this.queueCurrentSteps()
    else if (!this.currentStepsTimer) {
      this.currentStepsTimer = setTimeout(() => {
        this.currentStepsTimer = undefined
        this.queueCurrentSteps()
        this.writeWithLogs().catch(() => {}) // stays queued; the next write retries it
      }, CURRENT_STEP_INTERVAL_MS)
      this.currentStepsTimer.unref()
    }
    return Promise.resolve()
  }

  private queueCurrentSteps(): void {
    if (this.currentSteps.size === 0) return
    const entries = [...this.currentSteps]
    this.currentSteps.clear()
    this.currentStepsAt = performance.now()
    for (const [adwId, stepId] of entries) {
      const key = `current_step ${adwId}`
      this.pending = this.pending.filter(w => w.key !== key)
      this.pending.push({sql: 'UPDATE runs SET current_step = ? WHERE adw_id = ?', values: [stepId, adwId], key})
    }
  }

  /** A sign of life; returns the run's cancel request, if one was made (the engine then stops the run). */
  async heartbeat(adwId: string): Promise<CancelRequest | undefined> {
    const {rows} = await this.write(q =>
      q<{cancel_requested_at: string | null; cancel_requested_by: string | null}>('UPDATE runs SET heartbeat_at = ? WHERE adw_id = ? RETURNING cancel_requested_at, cancel_requested_by', [now(), adwId]),
    )
    const row = rows[0]
    return row?.cancel_requested_at ? {at: row.cancel_requested_at, by: row.cancel_requested_by ?? 'unknown'} : undefined
  }

  /** A queued run is cancelled at once; a running one gets the request, seen on its next heartbeat. */
  async requestCancel(adwId: string, by: string): Promise<RunRow> {
    const t = now()
    const after = await this.writeWithLogs(async q => {
      const {rows} = await q<RunRow>(
        `UPDATE runs SET cancel_requested_at = ?, cancel_requested_by = ?,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
           finished_at = CASE WHEN status = 'queued' THEN ? ELSE finished_at END,
           error = CASE WHEN status = 'queued' THEN 'cancelled before a worker took it' ELSE error END
         WHERE adw_id = ? RETURNING *`,
        [t, by, t, adwId],
      )
      if (!rows[0]) throw this.notFound(adwId)
      return rows[0]
    }, true)
    return after!
  }

  async startStep(step: NewStep): Promise<number> {
    const started = new Date()
    const key = step.contentKey
    // With whatever is pending (the previous step's end, buffered rows): one commit, not several.
    const id = await this.writeWithLogs(async q => {
      const {rows} = await q<{id: number}>(
        `INSERT INTO steps (adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, content_key, key_parts, item_index, attempt)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?) RETURNING id`,
        [step.adwId, step.stepId, step.stepName ?? null, step.parentId ?? null, step.iteration, step.executor ?? null, started.toISOString(), key?.key ?? null, key ? JSON.stringify(key.parts) : null, step.itemIndex ?? null, step.attempt ?? 1],
      )
      return rows[0].id
    }, true)
    this.stepStarts.set(id!, started.getTime())
    return id!
  }

  /** Checked now, written with the next transaction (the engine flushes right after it). */
  async finishStep(id: number, result: {status: StepRow['status']; outputs?: Record<string, unknown>; error?: string | null; model?: string | null}): Promise<void> {
    let startedMs = this.stepStarts.get(id)
    if (startedMs === undefined) {
      await this.settle()
      const row = (await this.db.query<{started_at: string}>('SELECT started_at FROM steps WHERE id = ?', [id])).rows[0]
      if (!row) throw new Error(`finishStep: no step row ${id} (a bug in the caller)`)
      startedMs = Date.parse(row.started_at)
    }
    this.stepStarts.delete(id)
    const finished = new Date()
    this.pending.push({
      sql: 'UPDATE steps SET status = ?, finished_at = ?, duration_ms = ?, outputs = ?, error = ?, model = COALESCE(?, model) WHERE id = ?',
      values: [result.status, finished.toISOString(), Math.max(0, finished.getTime() - startedMs), result.outputs === undefined ? null : JSON.stringify(result.outputs), result.error ?? null, result.model ?? null, id],
    })
  }

  async skipStep(step: NewStep & {reason: string}): Promise<void> {
    const t = now()
    await this.write(q =>
      q(`INSERT INTO steps (adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, finished_at, reason, item_index) VALUES (?, ?, ?, ?, ?, ?, 'skipped', ?, ?, ?, ?)`, [
        step.adwId, step.stepId, step.stepName ?? null, step.parentId ?? null, step.iteration, step.executor ?? null, t, t, step.reason, step.itemIndex ?? null,
      ]),
    )
  }

  async addUsage(stepRowId: number, adwId: string, usage: Usage): Promise<void> {
    const values = [usage.inputTokens ?? 0, usage.outputTokens ?? 0, usage.cacheCreationTokens ?? 0, usage.cacheReadTokens ?? 0, usage.costUsd ?? 0]
    await this.serial(() =>
      this.db.tx(async q => {
        await q(`UPDATE steps SET ${ADD_USAGE}, model = COALESCE(?, model) WHERE id = ?`, [...values, usage.model ?? null, stepRowId])
        await q(`UPDATE runs SET ${ADD_USAGE} WHERE adw_id = ?`, [...values, adwId])
      }),
    )
  }

  async listSteps(adwId: string): Promise<StepRow[]> {
    await this.settle()
    return (await this.db.query<StepRow>('SELECT * FROM steps WHERE adw_id = ? ORDER BY id', [adwId])).rows
  }

  async stepCounts(adwIds: string[]): Promise<Map<string, StepCounts>> {
    await this.settle()
    const counts = new Map<string, StepCounts>()
    if (adwIds.length === 0) return counts
    const {rows} = await this.db.query<{adw_id: string; status: StepRow['status']; n: number}>('SELECT adw_id, status, count(*) AS n FROM steps WHERE adw_id = ANY(?::text[]) GROUP BY adw_id, status', [adwIds])
    for (const r of rows) {
      let c = counts.get(r.adw_id)
      if (!c) counts.set(r.adw_id, (c = {total: 0, succeeded: 0, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 0}))
      c[r.status] = r.n
      c.total += r.n
    }
    // In the order asked, as the SQLite store returns them.
    return new Map(adwIds.filter(id => counts.has(id)).map(id => [id, counts.get(id)!]))
  }

  log(entry: NewLog): void {
    this.buffer.push(entry)
  }

  async flush(): Promise<void> {
    this.queueCurrentSteps()
    await this.writeWithLogs()
  }

  async queryLogs(query: LogQuery): Promise<LogRow[]> {
    await this.chain
    const {sql, values} = logSelect(query)
    return (await this.db.query<LogRow>(sql, values)).rows
  }

  async setRunBudget(adwId: string, patch: {budget?: NewRun['budget'] | null; activeMs?: number}): Promise<void> {
    await this.writeWithLogs(async q => {
      if (patch.budget !== undefined) {
        const json = patch.budget && Object.keys(patch.budget).length ? JSON.stringify(patch.budget) : null
        if ((await q('UPDATE runs SET budget = ? WHERE adw_id = ?', [json, adwId])).rowCount === 0) throw this.notFound(adwId)
      }
      if (patch.activeMs !== undefined && (await q('UPDATE runs SET active_ms = ? WHERE adw_id = ?', [Math.round(patch.activeMs), adwId])).rowCount === 0) throw this.notFound(adwId)
    })
  }

  async requestApproval(request: ApprovalRequest): Promise<ApprovalRow> {
    await this.chain
    return this.serial(() => this.approvals.request(request))
  }

  async getApproval(adwId: string, stepId: string, iteration: number): Promise<ApprovalRow | undefined> {
    await this.chain
    return this.approvals.get(adwId, stepId, iteration)
  }

  async listApprovals(adwId: string): Promise<ApprovalRow[]> {
    await this.chain
    return this.approvals.list(adwId)
  }

  async expireApprovals(adwId: string): Promise<ApprovalRow[]> {
    await this.settle()
    return this.serial(() => this.approvals.expire(adwId))
  }

  async decideApproval(decision: Decide): Promise<ApprovalRow> {
    await this.settle()
    return this.serial(() => this.approvals.decide(decision))
  }

  async recordWorktree(w: NewWorktree): Promise<void> {
    await this.write(q =>
      q(
        `INSERT INTO worktrees (adw_id, repo, base_ref, base_commit, branch, path, pid, host, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (adw_id) DO UPDATE SET repo = excluded.repo, base_ref = excluded.base_ref, base_commit = excluded.base_commit, branch = excluded.branch,
           path = excluded.path, pid = excluded.pid, host = excluded.host, created_at = excluded.created_at, removed_at = NULL`,
        [w.adwId, w.repo, w.baseRef, w.baseCommit, w.branch, w.path, process.pid, hostname(), now()],
      ),
    )
  }

  async getWorktree(adwId: string): Promise<WorktreeRow | undefined> {
    await this.chain
    return (await this.db.query<WorktreeRow>('SELECT * FROM worktrees WHERE adw_id = ?', [adwId])).rows[0]
  }

  async listWorktrees(query: {removed?: boolean} = {}): Promise<WorktreeRow[]> {
    await this.chain
    const where = query.removed ? '' : 'WHERE removed_at IS NULL'
    return (await this.db.query<WorktreeRow>(`SELECT * FROM worktrees ${where} ORDER BY created_at DESC, adw_id DESC`)).rows
  }

  async setWorktreeRemoved(adwId: string, removedAt: string | null): Promise<void> {
    await this.write(q => q('UPDATE worktrees SET removed_at = ? WHERE adw_id = ?', [removedAt, adwId]))
  }

  async recordExchange(r: NewRecording): Promise<void> {
    await this.write(q =>
      q(
        `INSERT INTO recordings (adw_id, step_row_id, step_id, iteration, item_index, attempt, turn, kind, request_hash, request, response, bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [r.adwId, r.stepRowId ?? null, r.stepId ?? null, r.iteration ?? 0, r.itemIndex ?? null, r.attempt ?? 1, r.turn ?? 0, r.kind, r.requestHash ?? null, r.request ?? null, r.response, r.bytes ?? r.response.length + (r.request?.length ?? 0), now()],
      ),
    )
  }

  async listRecordings(adwId: string): Promise<RecordingRow[]> {
    await this.chain
    return (await this.db.query<RecordingRow>('SELECT * FROM recordings WHERE adw_id = ? ORDER BY id', [adwId])).rows
  }

  async recordReplay(r: NewReplay): Promise<void> {
    await this.write(q =>
      q(
        `INSERT INTO replays (adw_id, replay_of, divergences, served, live, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (adw_id) DO UPDATE SET divergences = excluded.divergences, served = excluded.served, live = excluded.live`,
        [r.adwId, r.replayOf, r.divergences ? JSON.stringify(r.divergences) : null, r.served ?? 0, r.live ?? 0, now()],
      ),
    )
  }

  async getReplay(adwId: string): Promise<ReplayRow | undefined> {
    await this.chain
    return (await this.db.query<ReplayRow>('SELECT * FROM replays WHERE adw_id = ?', [adwId])).rows[0]
  }

  async createEval(e: NewEval, variants: NewEvalRun[]): Promise<void> {
    await this.serial(() => this.evals.create(e, variants))
  }

  async getEval(evalId: string): Promise<EvalRow | undefined> {
    await this.chain
    return this.evals.get(evalId)
  }

  async listEvals(query: {limit?: number} = {}): Promise<EvalRow[]> {
    await this.chain
    return this.evals.list(query.limit)
  }

  async setEvalStatus(evalId: string, status: EvalStatus, error?: string | null): Promise<void> {
    await this.serial(() => this.evals.setStatus(evalId, status, error))
  }

  async listEvalRuns(evalId: string): Promise<EvalRunRow[]> {
    await this.chain
    return this.evals.runs(evalId)
  }

  async updateEvalRun(evalId: string, runKey: string, patch: EvalRunPatch): Promise<void> {
    await this.serial(() => this.evals.update(evalId, runKey, patch))
  }

  async evalOfRun(adwId: string): Promise<{evalId: string; runKey: string} | undefined> {
    await this.chain
    return this.evals.ofRun(adwId)
  }

  /** Writes what is buffered, then closes the pool (idempotent; later calls wait for the first). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        if (this.currentStepsTimer) clearTimeout(this.currentStepsTimer), (this.currentStepsTimer = undefined)
        await this.flush()
      } finally {
        this.buffer.dispose()
        await this.changes.close()
        await this.db.pool.end()
      }
    })()
    return this.closed
  }
}

/**
 * The buffered log rows (one INSERT … SELECT FROM unnest(…), a column array each) and the deferred
 * writes as one statement: data-modifying CTEs, one round trip, atomic. They touch distinct rows (log
 * rows, step ends of distinct steps, one current step per run), so their order within it does not matter.
 */
function combine(rows: LogParams[], pending: Write[]): Write | undefined {
  const writes = [...pending]
  if (rows.length > 0) {
    const columns: Value[][] = Array.from({length: 9}, () => [])
    for (const row of rows) for (let i = 0; i < 9; i++) columns[i].push(row[i] as Value)
    writes.unshift({sql: INSERT_LOGS, values: columns as Value[]})
  }
  if (writes.length <= 1) return writes[0]
  return {sql: `WITH ${writes.map((w, i) => `w${i} AS (${w.sql})`).join(', ')} SELECT 1`, values: writes.flatMap(w => w.values)}
}
