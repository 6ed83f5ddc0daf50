import {Ledger, type Crossing} from '../budget/ledger.js'
import type {Budget} from '../budget/limits.js'
import {PRICES, type PriceTable} from '../budget/prices.js'
import type {Pipeline} from '../pipeline/types.js'
import type {LogLevel, LogType} from '../plugins/types.js'
import type {RunStatus, Store} from '../store/types.js'
import {recordedInputs, secretInputValues} from '../secrets/inputs.js'
import {envRedactor} from '../secrets/redactor.js'
import type {RunContext} from './context.js'
import {outline, type Reporter} from './events.js'
import {Journal, now} from './journal.js'
import {Lease} from './lease.js'
import {Limits} from './limits.js'
import {OWNER_ENV} from './orphans.js'
import type {ResumeContext} from './memo.js'
import {addRecordedUsage, ReuseIndex} from './reuse.js'
import {decisionCommands} from './gate.js'
import {schedule} from './scheduler.js'
import {DEFAULT_RECORD, Recorder, recordsCalls, type RecordSettings} from './recorder.js'
import {totalTokens, type Totals} from './usage.js'
import {cancelReason} from './cancel.js'

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
  /** Also send log rows to the reporter: every one (`--json`), or only those of these types (see Subscriber.logTypes). */
  emitLogs?: boolean | ReadonlySet<LogType>
  /** Variables added to one step run's environment (TRACEPARENT of its span); called right after its step:start event. */
  stepEnv?: (step: {stepId: string; iteration: number; index?: number}) => Record<string, string>
  /** `--executor FROM=TO` substitutions in force, recorded with the run for `--resume`. */
  executorAliases?: string[]
  /**
   * Continue an existing run: a succeeded step run is reused instead of run again while its key
   * (memo.ts: rendered with:, executor, model, upstream outputs) is unchanged; failed (continueOnError
   * too), `interrupted` and cancelled step runs run again, and a false `if` is decided again. The caller normally claims the run first
   * (`store.claimRun`, see resume.ts); if this process has not, the engine claims it.
   */
  resume?: boolean
  /** On resume: `--from` and whether the pipeline is the one the run started with (see memo.decide). @default same pipeline, nothing forced */
  resumeContext?: ResumeContext
  /** Extra details for the `Run resumed` milestone (previous status, interrupted steps). */
  resumeDetails?: Record<string, unknown>
  /** Recorded as WARNING rows when the run starts (`.env` variables that were ignored). */
  warnings?: string[]
  /**
   * The run's limit (runLimit: flags > stored > pipeline/config) and the price table; step limits
   * come from the pipeline. Stored with the run, so a resume keeps it unless given a new one.
   * `parent`: a ledger shared with other runs (an eval's suite-wide --max-usd); it is not stored.
   */
  budget?: {limit: Budget; prices: PriceTable; parent?: Ledger}
  /** `adw run --wait`: an approval gate blocks until decided instead of stopping the run as waiting. */
  wait?: boolean
  /** `adw run --wait-for-quota`: sleep until a usage limit resets, then go on (see quota-wait.ts). */
  waitForQuota?: boolean
  /** Most executors running at once (`adw run --concurrency`); wins over the pipeline's `concurrency:`. */
  concurrency?: number
  /** Most steps of one executor running at once (adw.config.yaml `executors.<name>.concurrency`). */
  executorLimits?: Record<string, number>
  /** Record model exchanges for adw replay (adw.config.yaml `record:`). @default DEFAULT_RECORD (on, 25 MiB) */
  record?: RecordSettings
}

/** Most executors running at once when neither the pipeline nor the command says. */
const DEFAULT_CONCURRENCY = 4

export interface RunOutcome {
  adwId: string
  status: RunStatus
  durationMs: number
  totals: Totals
  error?: string
  /** Status `waiting`: the gate that waits, its message and the commands that decide it. */
  waiting?: {stepId: string; message: string; commands: string[]}
  /** Status `budget_exceeded`: the limit that was reached. */
  crossing?: Crossing
  /** Status `queued` (`adw run --queue`): where it waits. */
  queued?: {queue: string; jobId: string}
  /** A queue worker's resume found the run not its to take (finished, cancelled): nothing ran. */
  skipped?: boolean
}

/**
 * Runs a validated pipeline: opens (or, on resume, takes over) the run, holds its lease while the
 * scheduler runs the steps, and records how it ended. Everything written goes through the journal.
 */
export async function runPipeline(opts: RunOptions): Promise<RunOutcome> {
  const {pipeline, adwId, store} = opts
  const started = Date.now()
  const redact = envRedactor(opts.env, secretInputValues(pipeline, opts.inputs))
  const journal = new Journal({adwId, store, reporter: opts.reporter, redact, logLevel: opts.logLevel, emitLogs: opts.emitLogs})
  // Cancelled from this process (Ctrl-C, SIGTERM: opts.signal) or through the store: `adw cancel` on
  // any machine records a request that the lease sees on its next heartbeat.
  const cancel = new AbortController()
  const outer = opts.signal
  if (outer?.aborted) cancel.abort(outer.reason)
  else outer?.addEventListener('abort', () => cancel.abort(outer.reason), {once: true})
  const signal = cancel.signal
  const lease = new Lease(store, journal, pipeline.name, signal, request => {
    if (signal.aborted) return
    journal.log('WARNING', 'state_change', `Cancel requested by ${request.by}: stopping the run`, {by: request.by, requestedAt: request.at})
    cancel.abort(new Error('cancelled'))
  })
  const inputs = recordedInputs(pipeline, opts.inputs, redact)

  let reuse = new ReuseIndex(pipeline, undefined)
  let interrupted: string[] = []
  let prior: {usd: number; tokens: number; ms: number} | undefined
  if (opts.resume) {
    interrupted = await lease.claim(opts.resumeDetails?.interruptedSteps)
    reuse = new ReuseIndex(pipeline, await store.listSteps(adwId), opts.resumeContext)
    const before = await store.getRun(adwId)
    addRecordedUsage(journal.totals, before)
    if (before) prior = {usd: before.cost_usd, tokens: totalTokens({inputTokens: before.input_tokens, outputTokens: before.output_tokens, cacheCreationTokens: before.cache_creation_tokens, cacheReadTokens: before.cache_read_tokens}), ms: before.active_ms ?? 0}
    if (opts.budget) await journal.setRunBudget({budget: opts.budget.limit})
  } else {
    await journal.createRun({adwId, pipelineName: pipeline.name, pipelineFile: pipeline.file, pipelineSnapshot: pipeline.source, inputs, workingDir: opts.workingDir, executorAliases: opts.executorAliases, budget: opts.budget?.limit, graph: pipelineEdges(pipeline)})
  }
  const record = opts.record ?? DEFAULT_RECORD
  const recorder = record.enabled && recordsCalls(pipeline) ? new Recorder(journal, record) : undefined
  if (recorder && !opts.resume) await recorder.base(opts.workingDir)
  const concurrency = opts.concurrency ?? pipeline.concurrency ?? DEFAULT_CONCURRENCY
  // The budget ledger (src/budget/): fed by every usage report as it happens (see action.ts).
  const ledger = new Ledger({run: opts.budget?.limit, steps: pipeline.budget?.steps, prices: opts.budget?.prices ?? PRICES, prior, parent: opts.budget?.parent})
  journal.emit({type: 'run:start', adwId, pipeline: pipeline.name, workingDir: opts.workingDir, db: store.location, outline: outline(pipeline.steps), resumed: opts.resume || undefined, concurrency, time: now()})
  // A queued run taken by a worker starts here, though it goes through the resume path.
  const fromQueue = opts.resumeDetails?.previousStatus === 'queued'
  journal.log('INFO', 'milestone', opts.resume && !fromQueue ? `Run resumed: ${pipeline.name}` : `Run started: ${pipeline.name}`, {
    pipeline: pipeline.name,
    file: pipeline.file,
    inputs,
    workingDir: opts.workingDir,
    pid: process.pid,
    ...(opts.resume ? {reusedStepRuns: reuse.size, ...opts.resumeDetails} : {}),
  })
  for (const key of interrupted) {
    const [stepId, iteration] = [key.slice(0, key.lastIndexOf('#')), Number(key.slice(key.lastIndexOf('#') + 1))]
    journal.log('WARNING', 'state_change', `Step ${stepId}${iteration ? ` (iteration ${iteration})` : ''} was interrupted: its adw process stopped while it ran; it runs again`, {status: 'interrupted', iteration}, stepId, iteration)
  }
  for (const warning of opts.warnings ?? []) journal.log('WARNING', 'state_change', warning)
  await journal.flush()

  // failFast and cancel both stop the running executors; only cancel makes the run "cancelled".
  const stop = new AbortController()
  const onCancel = () => stop.abort(cancelReason())
  if (signal.aborted) onCancel()
  else signal.addEventListener('abort', onCancel, {once: true})
  const ctx: RunContext = {
    adwId,
    workingDir: opts.workingDir,
    journal,
    lease,
    reuse,
    signal,
    stop: stop.signal,
    limits: new Limits(concurrency, opts.executorLimits),
    failFast: pipeline.failFast === true,
    halt: reason => {
      if (stop.signal.aborted) return
      journal.log('WARNING', 'state_change', `${reason}: stopping the steps still running, starting no more`, {failFast: true})
      stop.abort(cancelReason(reason))
    },
    steps: {},
    scope: {},
    executorEnv: {...opts.env, [OWNER_ENV]: `${process.pid}:${adwId}`},
    stepEnv: opts.stepEnv,
    model: opts.model,
    sandbox: opts.sandbox ?? 'on',
    wait: opts.wait,
    waitForQuota: opts.waitForQuota,
    ledger,
    ...(recorder ? {recorder} : {}),
  }
  // run.costUsd: what the run has cost so far (a pull request's body reports it), read when a template renders.
  const run = {adwId, workingDir: opts.workingDir, get costUsd() { return Math.round(journal.totals.costUsd * 10_000) / 10_000 }}
  ctx.scope = {inputs: opts.inputs, steps: ctx.steps, run, env: opts.env}

  lease.hold()
  let status: RunStatus = 'succeeded'
  let error: string | undefined
  let waiting: RunOutcome['waiting']
  let crossing: Crossing | undefined
  try {
    const result = await schedule(ctx, pipeline.steps, {iteration: 0})
    if (result.status === 'waiting') {
      status = 'waiting'
      waiting = {stepId: result.stepId, message: result.message, commands: decisionCommands(adwId, result.stepId)}
    } else if (result.status === 'budget_exceeded' && !signal.aborted) {
      status = 'budget_exceeded'
      error = result.error
      crossing = result.crossing
    } else if (result.status !== 'succeeded') {
      status = signal.aborted ? 'cancelled' : 'failed'
      error = result.status === 'cancelled' ? 'cancelled' : result.error
    }
  } catch (e) {
    status = 'failed'
    error = redact.text(`internal error (a bug in adw): ${(e as Error).message}`)
    journal.log('CRITICAL', 'error', error, {message: (e as Error).message, stack: (e as Error).stack})
  } finally {
    lease.release()
    signal.removeEventListener('abort', onCancel)
  }
  if (signal.aborted && status !== 'succeeded') {
    status = 'cancelled'
    error = error ?? 'cancelled'
  }
  const durationMs = Date.now() - started
  const totals = journal.totals
  // The time the run has been running, over all its processes, for a minutes budget on resume.
  await journal.setRunBudget({activeMs: ledger.spent().ms})
  const milestone = waiting ? `Run waiting for approval at step ${waiting.stepId}: ${pipeline.name}` : `Run ${status}: ${pipeline.name}`
  await journal.finishRun(status, error, milestone, {status, durationMs, totals, ...(error ? {error} : {}), ...(waiting ? {waiting} : {}), ...(crossing ? {crossing} : {})})
  await journal.flush()
  journal.emit({type: 'run:end', adwId, status, durationMs, totals: {...totals}, error, ...(waiting ? {waiting} : {}), ...(crossing ? {crossing} : {}), time: now()})
  await opts.reporter.close()
  return {adwId, status, durationMs, totals, error, ...(waiting ? {waiting} : {}), ...(crossing ? {crossing} : {})}
}

/** The pipeline's edges for the runs row: [from, to], `to` needs `from`; loop body steps as `loop/step`. */
export function pipelineEdges(pipeline: Pipeline): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const step of pipeline.steps) {
    for (const need of step.needs ?? []) out.push([need, step.id])
    if (step.kind === 'loop') for (const body of step.steps) for (const need of body.needs ?? []) out.push([`${step.id}/${need}`, `${step.id}/${body.id}`])
  }
  return out
}
