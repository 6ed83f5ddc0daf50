import type {LogLevel, LogType, Usage} from '../plugins/types.js'
import type {ApprovalRequest, ApprovalRow, NewRecording, NewRun, RunStatus, Store, StepKey, StepStatus} from '../store/types.js'
import {LOG_LEVELS} from '../store/values.js'
import type {Redactor} from '../secrets/redactor.js'
import type {EngineEvent, Reporter} from './events.js'
import {addUsage, zeroTotals, type Totals} from './usage.js'

const LEVEL_RANK = Object.fromEntries(LOG_LEVELS.map((level, rank) => [level, rank])) as Record<LogLevel, number>
/** Longest log message recorded, cut after secrets are masked (so no secret's head is left at the cut). */
const MAX_LOG_MESSAGE = 20_000
/** Longest progress text sent to the view, cut after masking too. */
export const MAX_PROGRESS = 200

export interface JournalOptions {
  adwId: string
  store: Store
  reporter: Reporter
  /** Masks secrets in everything recorded or shown. */
  redact: Redactor
  /** Rows below this level are not recorded (milestones always are). @default INFO */
  logLevel?: LogLevel
  /** Also send log rows to the reporter: every one (`--json`), or only those of these types (what telemetry reads). */
  emitLogs?: boolean | ReadonlySet<LogType>
}

/** Where a step row stands in the run: its id, loop iteration and group. */
export interface StepRef {
  stepId: string
  name?: string
  iteration: number
  parentId?: string
  executor: string
  /** A fan-out item's position (0-based), for a step with forEach. */
  index?: number
  /** A fan-out item, shortened to one line for views. */
  item?: string
  /** 1-based; set for a step with a retry policy. */
  attempt?: number
}

/** The fan-out and retry fields of a step event (absent for a plain step). */
const extra = (ref: StepRef) => ({...(ref.index !== undefined ? {index: ref.index, item: ref.item} : {}), ...(ref.attempt !== undefined ? {attempt: ref.attempt} : {})})

/**
 * The only writer of a run: the store's rows, the view's events and the run's usage totals all go
 * through here, and every string is masked on the way (a view or a row never holds a secret).
 */
export class Journal {
  readonly adwId: string
  /** The run's usage so far (a resumed run starts from what it had recorded). */
  readonly totals: Totals = zeroTotals()
  readonly redact: Redactor
  private readonly store: Store
  private readonly reporter: Reporter
  private readonly minLevel: number
  private readonly emitLogs: boolean | ReadonlySet<LogType>
  /** Writes started by `usage` (see track), and the first of them that failed. */
  private inflight: Array<Promise<void>> = []
  private failed: unknown

  constructor(opts: JournalOptions) {
    this.adwId = opts.adwId
    this.store = opts.store
    this.reporter = opts.reporter
    this.redact = opts.redact
    this.minLevel = LEVEL_RANK[opts.logLevel ?? 'INFO']
    this.emitLogs = opts.emitLogs ?? false
  }

  async createRun(run: NewRun): Promise<void> {
    await this.store.createRun(run)
  }

  /**
   * A log row for the run (no step) or one step run, masked and cut; below the level only milestones
   * are kept. `at`: the step run's fan-out item and attempt, carried by the log event (not the row).
   */
  log(level: LogLevel, type: LogType, message: string, details?: unknown, stepId?: string, iteration = 0, agent?: string, at?: StepRef): void {
    if (LEVEL_RANK[level] < this.minLevel && type !== 'milestone') return
    const msg = clip(this.redact.text(message), MAX_LOG_MESSAGE)
    const det = details === undefined ? undefined : this.redact.value(details)
    this.store.log({adwId: this.adwId, agentName: agent ?? (stepId ? null : 'orchestrator'), stepName: stepId ?? null, iteration, level, type, message: msg, details: det})
    if (this.emitLogs === true || (this.emitLogs && this.emitLogs.has(type))) {
      const position = at ? {...(at.index !== undefined ? {index: at.index} : {}), ...(at.attempt !== undefined ? {attempt: at.attempt} : {})} : {}
      this.emit({type: 'log', adwId: this.adwId, stepId, iteration, ...position, level, logType: type, message: msg, ...(det === undefined ? {} : {details: det}), time: now()})
    }
  }

  emit(event: EngineEvent): void {
    try {
      // Every string of an event is masked (most already are): a view can never show a secret.
      this.reporter.onEvent(this.redact.value(event))
    } catch {
      // a view must never break a run
    }
  }

  /** A step's live status line for the view (not stored). */
  progress(ref: StepRef, text: string): void {
    this.emit({type: 'step:progress', adwId: this.adwId, stepId: ref.stepId, iteration: ref.iteration, ...(ref.index !== undefined ? {index: ref.index} : {}), text: clip(this.redact.text(text), MAX_PROGRESS), time: now()})
  }

  /** Writes everything buffered; a usage write that failed since the last flush is thrown here. */
  async flush(): Promise<void> {
    await this.settle()
    await this.store.flush()
  }

  /** Waits for the writes started from synchronous callbacks (usage), and throws the first that failed. */
  private async settle(): Promise<void> {
    if (this.inflight.length > 0) {
      const writes = this.inflight
      this.inflight = []
      await Promise.all(writes)
    }
    if (this.failed !== undefined) {
      const error = this.failed
      this.failed = undefined
      throw error
    }
  }

  /** A write nobody awaits now (an executor's usage callback is synchronous): settled at the next flush. */
  private track(write: Promise<void>): void {
    this.inflight.push(write.catch((error: unknown) => {
      this.failed ??= error
    }))
  }

  /** Opens a step row (its milestone commits with it: one transaction per start) and tells the view. Returns the row id. */
  /** `key`: the step run's resume key (memo.ts), recorded with its row. */
  async startStep(ref: StepRef, key?: StepKey): Promise<number> {
    const {stepId, iteration, executor} = ref
    this.log('INFO', 'milestone', `Step ${stepId} started${label(ref)}`, {executor, iteration, ...extra(ref)}, stepId, iteration)
    await this.store.setCurrentStep(this.adwId, stepId)
    const rowId = await this.store.startStep({adwId: this.adwId, stepId, stepName: ref.name ?? null, parentId: ref.parentId ?? null, iteration, executor, itemIndex: ref.index, attempt: ref.attempt, ...(key ? {contentKey: key} : {})})
    this.emit({type: 'step:start', adwId: this.adwId, stepId, name: ref.name, executor, iteration, parentId: ref.parentId, ...extra(ref), time: now()})
    return rowId
  }

  /**
   * Usage of one call: into the step's totals, the run's, the store and a cost_update row.
   * Synchronous (executors report from callbacks); the store's write settles at the next flush.
   */
  usage(rowId: number, ref: StepRef, stepTotals: Totals, u: Usage): void {
    addUsage(stepTotals, u)
    addUsage(this.totals, u)
    this.track(this.store.addUsage(rowId, this.adwId, u))
    this.log('INFO', 'cost_update', `${u.model ? `${u.model}: ` : ''}${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens, $${(u.costUsd ?? 0).toFixed(4)}`, u, ref.stepId, ref.iteration, undefined, ref)
  }

  /** Closes a step row (outputs masked); written with the next flush. */
  async finishStep(rowId: number, result: {status: StepStatus; outputs?: Record<string, unknown>; error?: string | null; model?: string | null}): Promise<void> {
    await this.settle()
    await this.store.finishStep(rowId, result.outputs ? {...result, outputs: this.redact.value(result.outputs)} : result)
  }

  /** Records a step that did not run: its row, a milestone, the view's end event. */
  async skipStep(ref: StepRef, reason: string): Promise<void> {
    const {stepId, iteration, parentId} = ref
    await this.store.skipStep({adwId: this.adwId, stepId, stepName: ref.name ?? null, parentId: parentId ?? null, iteration, executor: ref.executor, reason, itemIndex: ref.index})
    this.log('INFO', 'milestone', `Step ${stepId} skipped: ${reason}`, {reason}, stepId, iteration)
    await this.store.flush()
    this.emit({type: 'step:end', adwId: this.adwId, stepId, iteration, parentId, status: 'skipped', durationMs: 0, reason, ...extra(ref), time: now()})
  }

  /** An approval gate reached (src/engine/gate.ts): its row, made once; a resumed run gets the one it made. */
  requestApproval(request: Omit<ApprovalRequest, 'adwId'>): Promise<ApprovalRow> {
    return this.store.requestApproval({...request, message: this.redact.text(request.message), adwId: this.adwId})
  }

  approval(stepId: string, iteration: number): Promise<ApprovalRow | undefined> {
    return this.store.getApproval(this.adwId, stepId, iteration)
  }

  /** Gates past their timeout, decided by their onTimeout; each logged. */
  async expireApprovals(): Promise<ApprovalRow[]> {
    const expired = await this.store.expireApprovals(this.adwId)
    for (const g of expired) {
      this.log('WARNING', 'milestone', `Approval at step ${g.step_id} timed out (no decision before ${g.timeout_at}): ${g.decision} (onTimeout: ${g.on_timeout})`, {decision: g.decision, by: 'timeout', timeoutAt: g.timeout_at}, g.step_id, g.iteration, 'approval')
    }
    return expired
  }

  /** The run's status while it goes on (waiting at a gate under --wait, running again after). */
  async setRunStatus(status: RunStatus): Promise<void> {
    await this.store.setRunStatus(this.adwId, status)
  }

  /** The run's limits in force and/or the time it has run, for a later resume. */
  async setRunBudget(patch: Parameters<Store['setRunBudget']>[1]): Promise<void> {
    await this.store.setRunBudget(this.adwId, patch)
  }

  /** A recording for adw replay, already masked and capped (src/engine/recorder.ts). */
  async record(recording: NewRecording): Promise<void> {
    await this.store.recordExchange(recording)
  }

  /** The run's last milestone and its row's end (error masked). */
  async finishRun(status: RunStatus, error: string | undefined, milestone: string, details: Record<string, unknown>): Promise<void> {
    // The run's end is recorded whatever happened to a usage write before it.
    await this.settle().catch((e: unknown) => this.log('ERROR', 'error', `Usage not recorded: ${e instanceof Error ? e.message : String(e)}`))
    this.log(status === 'succeeded' || status === 'waiting' ? 'INFO' : status === 'cancelled' || status === 'budget_exceeded' ? 'WARNING' : 'ERROR', 'milestone', milestone, details)
    await this.store.finishRun(this.adwId, status, error === undefined ? null : this.redact.text(error))
  }
}

/** ` (iteration 2, item 3, attempt 2)`: where a step run stands, for messages; '' for a plain step. */
export function label(ref: StepRef, iteration = true): string {
  const parts = [iteration && ref.iteration ? `iteration ${ref.iteration}` : '', ref.index !== undefined ? `item ${ref.index}` : '', ref.attempt && ref.attempt > 1 ? `attempt ${ref.attempt}` : ''].filter(Boolean)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

export const now = (): string => new Date().toISOString()

/** A text cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text
}
