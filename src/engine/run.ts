import {stepOutcome} from './outcome.js'
import type {ActionStep, LoopStep, Pipeline, Step} from '../pipeline/types.js'
import type {ExecutorContext, LogLevel, LogType, Usage} from '../plugins/types.js'
import type {RunStatus, Store, StepRow} from '../store/types.js'
import type {EngineEvent, OutlineStep, Reporter} from './events.js'
import {invoke} from './invoke.js'
import {duration as formatMs} from '../history/format.js'
import {LOG_LEVELS} from '../store/values.js'
import {killOwnedNow, OWNER_ENV} from './orphans.js'
import {recordedInputs, secretInputValues} from '../secrets/inputs.js'
import {envRedactor, type Redactor} from '../secrets/redactor.js'
import {addUsage, hasUsage, zeroTotals, type Totals} from './usage.js'

export interface RunOptions {
  pipeline: Pipeline
  adwId: string
  /** Resolved inputs (defaults applied, types coerced). */
  inputs: Record<string, unknown>
  /** Absolute path. */
  workingDir: string
  store: Store
  reporter: Reporter
  /** Environment for executors and templates (holds secrets; never stored). */
  env: Record<string, string | undefined>
  /** Run-level default model for agent executors. */
  model?: string
  /** The command sandbox setting handed to executors. @default 'on' */
  sandbox?: 'on' | 'off'
  /** Rows below this level are not recorded. @default INFO */
  logLevel?: LogLevel
  /** Aborting it cancels the run: the current step is stopped and the run recorded as cancelled. */
  signal?: AbortSignal
  /** Also send every log row to the reporter (for `--json`). */
  emitLogs?: boolean
  /** `--executor FROM=TO` substitutions in force, recorded with the run for `--resume`. */
  executorAliases?: string[]
  /**
   * Continue an existing run: step runs that completed (succeeded, skipped, or failed under
   * continueOnError) are reused instead of run again; `interrupted`, cancelled and other failed
   * step runs run again. The caller normally claims the run first
   * (`store.claimRun`, see resume.ts); if this process has not, the engine claims it.
   */
  resume?: boolean
  /** Extra details for the `Run resumed` milestone (previous status, interrupted steps). */
  resumeDetails?: Record<string, unknown>
  /** Recorded as WARNING rows when the run starts (`.env` variables that were ignored). */
  warnings?: string[]
}

export interface RunOutcome {
  adwId: string
  status: RunStatus
  durationMs: number
  totals: Totals
  error?: string
}

const LEVEL_RANK = Object.fromEntries(LOG_LEVELS.map((level, rank) => [level, rank])) as Record<LogLevel, number>
const HEARTBEAT_MS = 5000
/** Longest log message recorded, cut after secrets are masked (so no secret's head is left at the cut). */
const MAX_LOG_MESSAGE = 20_000
/** Longest progress text sent to the view, cut after masking too. */
const MAX_PROGRESS = 200

/** What later templates and conditions see of a step: `steps.<id>.outputs`, `.status`. */
interface StepState {
  outputs: Record<string, unknown>
  status: string
  error?: string
}

/** Walks a validated pipeline: evaluates `if`/`loop`, renders `with:`, calls executors, records everything. */
export async function runPipeline(opts: RunOptions): Promise<RunOutcome> {
  const engine = new Engine(opts)
  return engine.run()
}

class Engine {
  private readonly store: Store
  private readonly totals = zeroTotals()
  private readonly steps: Record<string, StepState> = {}
  private readonly scope: Record<string, unknown>
  /** The environment every executor sees: the run's, plus the owner mark that resume uses to find leftovers. */
  private readonly executorEnv: Record<string, string | undefined>
  /** Masks secrets (secret-looking variables, `secret: true` inputs) in everything recorded or shown. */
  private readonly redact: Redactor
  /** The inputs as recorded: secret ones masked. */
  private readonly recordedInputs: Record<string, unknown>
  private readonly minLevel: number
  private readonly signal: AbortSignal
  /** Completed step runs of the run being resumed, by `stepId#iteration`. */
  private readonly previous = new Map<string, StepRow>()
  /** `stepId#iteration` of the step runs the claim closed as `interrupted` (logged, then run again). */
  private interrupted: string[] = []
  /** The step row being executed, closed by the exit hook if the process exits mid-step. */
  private current?: {rowId: number; stepId: string}
  private finished = false

  constructor(private readonly opts: RunOptions) {
    this.store = opts.store
    this.redact = envRedactor(opts.env, secretInputValues(opts.pipeline, opts.inputs))
    this.recordedInputs = recordedInputs(opts.pipeline, opts.inputs, this.redact)
    this.minLevel = LEVEL_RANK[opts.logLevel ?? 'INFO']
    this.signal = opts.signal ?? new AbortController().signal
    this.executorEnv = {...opts.env, [OWNER_ENV]: `${process.pid}:${opts.adwId}`}
    this.scope = {
      inputs: opts.inputs,
      steps: this.steps,
      run: {adwId: opts.adwId, workingDir: opts.workingDir},
      env: opts.env,
    }
  }

  async run(): Promise<RunOutcome> {
    const {pipeline, adwId, store} = this.opts
    const started = Date.now()
    if (this.opts.resume) this.loadPrevious()
    else
      store.createRun({
        adwId,
        pipelineName: pipeline.name,
        pipelineFile: pipeline.file,
        pipelineSnapshot: pipeline.source,
        inputs: this.recordedInputs,
        workingDir: this.opts.workingDir,
        executorAliases: this.opts.executorAliases,
      })
    this.emit({type: 'run:start', adwId, pipeline: pipeline.name, workingDir: this.opts.workingDir, db: store.path, outline: outline(pipeline.steps), resumed: this.opts.resume || undefined, time: now()})
    this.log('INFO', 'milestone', this.opts.resume ? `Run resumed: ${pipeline.name}` : `Run started: ${pipeline.name}`, {
      pipeline: pipeline.name,
      file: pipeline.file,
      inputs: this.recordedInputs,
      workingDir: this.opts.workingDir,
      pid: process.pid,
      ...(this.opts.resume ? {reusedStepRuns: this.previous.size, ...this.opts.resumeDetails} : {}),
    })
    for (const key of this.interrupted) {
      const [stepId, iteration] = [key.slice(0, key.lastIndexOf('#')), Number(key.slice(key.lastIndexOf('#') + 1))]
      this.log('WARNING', 'state_change', `Step ${stepId}${iteration ? ` (iteration ${iteration})` : ''} was interrupted: its adw process stopped while it ran; it runs again`, {status: 'interrupted', iteration}, stepId, iteration)
    }
    for (const warning of this.opts.warnings ?? []) this.log('WARNING', 'state_change', warning)
    store.flush()
    const heartbeat = setInterval(() => {
      try {
        store.heartbeat(adwId)
      } catch {
        // a busy moment: the next beat will do
      }
    }, HEARTBEAT_MS)
    heartbeat.unref()
    // process.exit() mid-run (a second Ctrl-C exits at once): record the run's end before the
    // store's own exit hook flushes and closes. Prepended so it runs before that hook.
    const onExit = () => this.recordHardExit()
    process.prependListener('exit', onExit)

    let status: RunStatus = 'succeeded'
    let error: string | undefined
    try {
      for (const step of pipeline.steps) {
        const ok = step.kind === 'loop' ? await this.runLoop(step) : await this.runAction(step, 0)
        if (!ok) {
          status = this.signal.aborted ? 'cancelled' : 'failed'
          error = this.failure
          break
        }
      }
    } catch (e) {
      status = 'failed'
      error = this.redact.text(`internal error (a bug in adw): ${(e as Error).message}`)
      this.log('CRITICAL', 'error', error, {message: (e as Error).message, stack: (e as Error).stack})
    } finally {
      clearInterval(heartbeat)
      process.off('exit', onExit)
    }
    if (this.signal.aborted && status !== 'succeeded') {
      status = 'cancelled'
      error = error ?? 'cancelled'
    }
    const durationMs = Date.now() - started
    this.log(status === 'succeeded' ? 'INFO' : status === 'cancelled' ? 'WARNING' : 'ERROR', 'milestone', `Run ${status}: ${pipeline.name}`, {
      status,
      durationMs,
      totals: this.totals,
      ...(error ? {error} : {}),
    })
    store.finishRun(adwId, status, error === undefined ? null : this.redact.text(error))
    this.finished = true
    store.flush()
    this.emit({type: 'run:end', adwId, status, durationMs, totals: {...this.totals}, error, time: now()})
    await this.opts.reporter.close()
    return {adwId, status, durationMs, totals: this.totals, error}
  }

  private failure?: string

  /**
   * Resume: claims the run unless this process already did, then indexes the step runs that
   * completed (succeeded; skipped by a false `if`; failed under continueOnError: the run went on
   * past them) so they are reused, not run again. Cancelled, failed and `interrupted` rows re-run:
   * an interrupted step never finished, whatever its continueOnError says.
   */
  private loadPrevious(): void {
    const {adwId, pipeline} = this.opts
    const before = this.store.getRun(adwId)
    const claimed = !before || before.status !== 'running' || before.pid !== process.pid ? this.store.claimRun(adwId) : undefined
    const given = this.opts.resumeDetails?.interruptedSteps
    this.interrupted = claimed?.interruptedSteps ?? (Array.isArray(given) ? given.map(String) : [])
    const continueOnError = new Set(pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps : [s])).filter(s => s.continueOnError).map(s => s.id))
    for (const row of this.store.listSteps(adwId)) {
      const done = row.status === 'succeeded' || row.status === 'skipped' || (row.status === 'failed' && continueOnError.has(row.step_id))
      if (done) this.previous.set(`${row.step_id}#${row.iteration}`, row)
    }
    const run = this.store.getRun(adwId)
    if (run) addUsage(this.totals, {inputTokens: run.input_tokens, outputTokens: run.output_tokens, cacheCreationTokens: run.cache_creation_tokens, cacheReadTokens: run.cache_read_tokens, costUsd: run.cost_usd})
  }

  /** The exit hook: a run left mid-step by process.exit() is recorded as ended, not left running. */
  private recordHardExit(): void {
    if (this.finished) return
    this.finished = true
    const cancelled = this.signal.aborted
    const status = cancelled ? 'cancelled' : 'failed'
    const why = cancelled ? 'cancelled: exited at once on a second interrupt' : 'the adw process exited while the run was in progress'
    // The step did not fail: it was cut off, and must run again on resume whatever continueOnError says.
    const stepStatus = cancelled ? 'cancelled' : 'interrupted'
    try {
      // The first interrupt sent SIGTERM; its SIGKILL follow-up timer dies with us, so escalate now.
      if (this.current) killOwnedNow(this.opts.adwId)
    } catch {
      // best effort
    }
    try {
      if (this.current) this.store.finishStep(this.current.rowId, {status: stepStatus, error: why})
      this.log(cancelled ? 'WARNING' : 'ERROR', 'milestone', `Run ${status}: ${this.opts.pipeline.name} (${why})`, {status, error: why, totals: this.totals})
      this.store.finishRun(this.opts.adwId, status, why)
    } catch {
      // exiting anyway; the run then shows as interrupted and still resumes
    }
  }

  /** How many leading iterations of a loop completed in the run being resumed (every body step reused). */
  private reusedIterations(loop: LoopStep): number {
    let n = 0
    while (n < loop.maxAttempts && loop.steps.every(s => this.previous.has(`${s.id}#${n + 1}`))) n++
    return n
  }

  /** Runs a loop group. Returns false when the run must stop. */
  private async runLoop(loop: LoopStep): Promise<boolean> {
    const {adwId} = this.opts
    const skippedBefore = this.previous.get(`${loop.id}#0`)
    if (skippedBefore?.status === 'skipped') {
      const reason = `${skippedBefore.reason ?? 'skipped'} (recorded before; not re-evaluated)`
      this.steps[loop.id] = {outputs: {}, status: 'skipped'}
      this.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: 0, outcome: 'skipped', reason, time: now()})
      return true
    }
    if (loop.if && !this.check(loop.if, loop)) {
      if (this.failure) return false
      this.recordSkip(loop.id, loop.name, 0, undefined, 'loop', `if: ${loop.if.source} was false`)
      this.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: 0, outcome: 'skipped', reason: `if: ${loop.if.source} was false`, time: now()})
      return true
    }
    this.emit({type: 'loop:start', adwId, stepId: loop.id, maxAttempts: loop.maxAttempts, time: now()})
    const reused = this.reusedIterations(loop)
    for (let i = 1; i <= loop.maxAttempts; i++) {
      // A completed iteration is replayed from its recorded outputs (no executor runs) so that
      // `until` is evaluated exactly as before; only its milestones are not written twice.
      const replay = i <= reused
      if (i === reused + 1 && reused > 0) {
        this.log('INFO', 'milestone', `Loop ${loop.id}: ${reused} iteration(s) completed before (outputs reused); continuing at iteration ${i}`, {reusedIterations: reused, maxAttempts: loop.maxAttempts}, loop.id)
      }
      if (!replay) this.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} started`, {iteration: i, maxAttempts: loop.maxAttempts}, loop.id, i)
      this.emit({type: 'loop:iteration', adwId, stepId: loop.id, iteration: i, maxAttempts: loop.maxAttempts, time: now()})
      for (const step of loop.steps) {
        if (!(await this.runAction(step, i, loop.id))) {
          this.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: i, outcome: this.signal.aborted ? 'cancelled' : 'failed', time: now()})
          return false
        }
      }
      const done = this.check(loop.until, loop)
      if (this.failure) return false
      if (!replay) {
        this.log('INFO', 'milestone', `Loop ${loop.id}: iteration ${i}/${loop.maxAttempts} finished (${done ? 'until holds' : 'until not yet true'})`, {iteration: i, until: loop.until.source, satisfied: done}, loop.id, i)
        this.store.flush()
      } else if (done) {
        this.log('INFO', 'milestone', `Loop ${loop.id}: until held at iteration ${i}/${loop.maxAttempts} (completed before; outputs reused)`, {iteration: i, until: loop.until.source, satisfied: true, reusedIterations: i}, loop.id, i)
      }
      if (done) {
        this.steps[loop.id] = {outputs: {iterations: i, satisfied: true}, status: 'succeeded'}
        this.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: i, outcome: 'satisfied', time: now()})
        return true
      }
    }
    const msg = `Loop ${loop.id} exhausted: ${loop.maxAttempts} attempt(s) without ${loop.until.source}`
    this.steps[loop.id] = {outputs: {iterations: loop.maxAttempts, satisfied: false}, status: loop.onExhausted === 'fail' ? 'failed' : 'succeeded'}
    this.emit({type: 'loop:end', adwId, stepId: loop.id, iterations: loop.maxAttempts, outcome: 'exhausted', reason: msg, time: now()})
    if (loop.onExhausted === 'fail') {
      this.failure = msg
      this.log('ERROR', 'error', msg, {message: msg, maxAttempts: loop.maxAttempts, until: loop.until.source}, loop.id)
      return false
    }
    this.log('WARNING', 'milestone', `${msg}; continuing (onExhausted: continue)`, {maxAttempts: loop.maxAttempts, until: loop.until.source}, loop.id)
    this.store.flush()
    return true
  }

  /** Evaluates a condition; an evaluation error fails the run with a located message. */
  private check(cond: NonNullable<Step['if']>, step: Step): boolean {
    try {
      return cond.evaluate(this.scope)
    } catch (e) {
      this.failure = (e as Error).message
      this.log('ERROR', 'error', this.failure, {message: this.failure, condition: cond.source}, step.id)
      return false
    }
  }

  private recordSkip(stepId: string, name: string | undefined, iteration: number, parentId: string | undefined, executor: string, reason: string): void {
    this.steps[stepId] = {outputs: {}, status: 'skipped'}
    this.store.skipStep({adwId: this.opts.adwId, stepId, stepName: name ?? null, parentId: parentId ?? null, iteration, executor, reason})
    this.log('INFO', 'milestone', `Step ${stepId} skipped: ${reason}`, {reason}, stepId, iteration)
    this.store.flush()
    this.emit({type: 'step:end', adwId: this.opts.adwId, stepId, iteration, parentId, status: 'skipped', durationMs: 0, reason, time: now()})
  }

  /** Runs one action step. Returns false when the run must stop. */
  private async runAction(step: ActionStep, iteration: number, parentId?: string): Promise<boolean> {
    const {adwId, store} = this.opts
    if (this.signal.aborted) {
      this.failure = 'cancelled'
      return false
    }
    const prev = this.previous.get(`${step.id}#${iteration}`)
    if (prev) {
      this.steps[step.id] = {outputs: prev.outputs ? JSON.parse(prev.outputs) : {}, status: prev.status, ...(prev.error ? {error: prev.error} : {})}
      const reason =
        prev.status === 'succeeded' ? 'succeeded before; outputs reused' : prev.status === 'skipped' ? `${prev.reason ?? 'skipped'} (recorded before)` : 'failed before (continueOnError); not run again'
      this.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status: 'skipped', durationMs: 0, reason, time: now()})
      return true
    }
    if (step.if) {
      const go = this.check(step.if, step)
      if (this.failure) return false
      if (!go) {
        this.recordSkip(step.id, step.name, iteration, parentId, step.executor.name, `if: ${step.if.source} was false`)
        return true
      }
    }

    const started = Date.now()
    // The milestone is buffered first so it commits with the step row: one transaction per start.
    this.log('INFO', 'milestone', `Step ${step.id} started${iteration ? ` (iteration ${iteration})` : ''}`, {executor: step.executor.name, iteration}, step.id, iteration)
    store.setCurrentStep(adwId, step.id)
    const rowId = store.startStep({adwId, stepId: step.id, stepName: step.name ?? null, parentId: parentId ?? null, iteration, executor: step.executor.name})
    this.current = {rowId, stepId: step.id}
    this.emit({type: 'step:start', adwId, stepId: step.id, name: step.name, executor: step.executor.name, iteration, parentId, time: now()})

    const usage = zeroTotals()
    let model: string | undefined
    let reported = false
    const controller = new AbortController()
    const onRunAbort = () => controller.abort(new Error('cancelled'))
    this.signal.addEventListener('abort', onRunAbort, {once: true})

    const record = (u: Usage) => {
      addUsage(usage, u)
      addUsage(this.totals, u)
      if (u.model) model = u.model
      store.addUsage(rowId, adwId, u)
      this.log('INFO', 'cost_update', `${u.model ? `${u.model}: ` : ''}${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens, $${(u.costUsd ?? 0).toFixed(4)}`, u, step.id, iteration)
    }
    const ctx: ExecutorContext = {
      adwId,
      stepId: step.id,
      iteration,
      workingDir: this.opts.workingDir,
      signal: controller.signal,
      env: this.executorEnv,
      model: this.opts.model,
      sandbox: this.opts.sandbox ?? 'on',
      log: (level, type, message, details) => this.log(level, type, message, details, step.id, iteration, step.executor.name),
      progress: text => this.emit({type: 'step:progress', adwId, stepId: step.id, iteration, text: clip(this.redact.text(text), MAX_PROGRESS), time: now()}),
      reportUsage: u => {
        reported = true
        record(u)
      },
    }

    const attempt = await invoke(step, this.scope, ctx, controller)
    this.signal.removeEventListener('abort', onRunAbort)
    const {outputs} = attempt
    if (attempt.usage && !reported) record(attempt.usage)
    const error = attempt.error ? this.redact.text(attempt.error.message ?? String(attempt.error)) : undefined
    const stack = attempt.error?.stack

    const durationMs = Date.now() - started
    const cancelled = error !== undefined && this.signal.aborted
    const status = error === undefined ? 'succeeded' : cancelled ? 'cancelled' : 'failed'
    this.steps[step.id] = {outputs, status, ...(error ? {error} : {})}
    store.finishStep(rowId, {status, outputs: this.redact.value(outputs), error: error ?? null, model: model ?? null})
    this.current = undefined
    const withUsage = hasUsage(usage) ? {usage} : {}
    if (error !== undefined) {
      this.log(cancelled ? 'WARNING' : 'ERROR', 'error', `Step ${step.id} ${status}: ${error}`, {message: error, stack: cancelled ? undefined : stack, durationMs}, step.id, iteration, step.executor.name)
    }
    this.log(error === undefined ? 'INFO' : cancelled ? 'WARNING' : 'ERROR', 'milestone', `Step ${step.id} ${status} in ${formatMs(durationMs)}`, {status, durationMs, executor: step.executor.name, model, iteration, ...withUsage}, step.id, iteration, step.executor.name)
    store.flush()
    const outcome = stepOutcome(outputs, attempt.summary, this.redact.text)
    this.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status, durationMs, ...withUsage, error, ...(outcome ? {outcome} : {}), time: now()})

    if (error === undefined) return true
    if (!cancelled && step.continueOnError) {
      this.log('WARNING', 'state_change', `Step ${step.id} failed; continuing (continueOnError)`, undefined, step.id, iteration)
      return true
    }
    this.failure = cancelled ? 'cancelled' : `step ${step.id} failed: ${error}`
    return false
  }

  private log(level: LogLevel, type: LogType, message: string, details?: unknown, stepId?: string, iteration = 0, agent?: string): void {
    if (LEVEL_RANK[level] < this.minLevel && type !== 'milestone') return
    const msg = clip(this.redact.text(message), MAX_LOG_MESSAGE)
    const det = details === undefined ? undefined : this.redact.value(details)
    this.store.log({adwId: this.opts.adwId, agentName: agent ?? (stepId ? null : 'orchestrator'), stepName: stepId ?? null, iteration, level, type, message: msg, details: det})
    if (this.opts.emitLogs) this.emit({type: 'log', adwId: this.opts.adwId, stepId, level, logType: type, message: msg, time: now()})
  }

  private emit(event: EngineEvent): void {
    try {
      // Every string of an event is masked (most already are): a view can never show a secret.
      this.opts.reporter.onEvent(this.redact.value(event))
    } catch {
      // a view must never break a run
    }
  }
}

function outline(steps: Step[]): OutlineStep[] {
  return steps.map(s =>
    s.kind === 'loop'
      ? {id: s.id, name: s.name, loop: {maxAttempts: s.maxAttempts, steps: outline(s.steps)}}
      : {id: s.id, name: s.name, uses: s.uses},
  )
}

const now = () => new Date().toISOString()

/** A text cut to `max` characters, saying how much was left out. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text
}
