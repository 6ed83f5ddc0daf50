/**
 * One trial: a case run by one variant (pipeline × model), once. In its own folder, as an ordinary
 * recorded run charged to the eval's budget, then decided by the case's checks; each step is
 * written to eval_runs as it happens, so an interrupted eval knows what to resume.
 */
import type {Ledger} from '../budget/ledger.js'
import {runLimit} from '../budget/limits.js'
import type {ResolvedConfig} from '../config.js'
import {runPipeline, type RunOutcome} from '../engine/run.js'
import type {Pipeline} from '../pipeline/types.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import {resolveRunInputs} from '../secrets/inputs.js'
import type {EvalRunRow, EvalRunStatus} from '../store/eval-types.js'
import type {Store} from '../store/types.js'
import {SilentReporter} from '../ui/quiet.js'
import {runCheck, type CheckResult} from './checks.js'
import {judgePipeline, judgeResult} from './judge.js'
import type {SuiteCase} from './suite.js'
import {createWorkspace, removeWorkspace, workspaceExists} from './workspace.js'

/** A case with its task text resolved (an issue's title and body). */
export interface PlannedCase extends SuiteCase {
  task: string
  /** The pipeline input `issue` for pipelines that declare it. */
  issueInput?: unknown
}

/** What every trial of an eval shares. */
export interface EvalContext {
  evalId: string
  store: Store
  config: ResolvedConfig
  registry: ExecutorRegistry
  /** By the label the report shows. */
  pipelines: Map<string, Pipeline>
  /** Model label → model id (undefined: the configured default). */
  models: Map<string, string | undefined>
  cases: Map<string, PlannedCase>
  /** The eval's budget: every trial's ledger charges it (LedgerInit.parent). */
  ledger: Ledger
  signal: AbortSignal
  keepWorkspaces: boolean
}

/** What a trial ended as, for the progress line. */
export interface TrialEnd {
  row: EvalRunRow
  status: EvalRunStatus
  adwId: string
  outcome?: RunOutcome
  checks: CheckResult[]
  error?: string
}

const RESUMABLE = new Set(['running', 'interrupted', 'cancelled', 'budget_exceeded', 'waiting'])

/** The inputs of the case's run with this pipeline and model (only inputs the pipeline declares). */
export function trialInputs(pipeline: Pipeline, c: PlannedCase, model: string | undefined): Record<string, unknown> {
  const given: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.inputs)) if (k in pipeline.inputs) given[k] = v
  if ('prompt' in pipeline.inputs) given.prompt = c.task
  if (model !== undefined && 'model' in pipeline.inputs) given.model = model
  const inputs = resolveRunInputs(pipeline, given)
  if (c.issueInput !== undefined && 'issue' in pipeline.inputs) inputs.issue = c.issueInput
  return inputs
}

/** Runs (or, after an interruption, resumes) one trial and decides it. */
export async function runTrial(row: EvalRunRow, ctx: EvalContext): Promise<TrialEnd> {
  const {store, evalId} = ctx
  const c = ctx.cases.get(row.case_id)!
  const pipeline = ctx.pipelines.get(row.pipeline)!
  const model = ctx.models.get(row.model)
  const previous = row.adw_id ? await store.getRun(row.adw_id) : undefined
  const canResume = previous !== undefined && workspaceExists(row.workspace)
  const adwId = canResume ? previous.adw_id : await freshId(store, evalId, row.position)
  const dir = canResume ? row.workspace! : (await createWorkspace(store, c.start, evalId, adwId)).dir
  await store.updateEvalRun(evalId, row.run_key, {status: 'running', adwId, workspace: dir, checks: null, error: null, judgeAdwId: null})

  let outcome: RunOutcome | undefined
  if (canResume && !RESUMABLE.has(previous.status)) {
    // The run had ended when the eval stopped (before its checks): only the checks are left.
    outcome = {adwId, status: previous.status, durationMs: previous.duration_ms ?? 0, totals: {} as RunOutcome['totals'], error: previous.error ?? undefined}
  } else {
    try {
      outcome = await runPipeline({
        pipeline,
        adwId,
        inputs: trialInputs(pipeline, c, model),
        workingDir: dir,
        store,
        reporter: new SilentReporter(),
        env: ctx.config.env,
        model: model ?? ctx.config.model,
        sandbox: ctx.config.sandbox,
        logLevel: ctx.config.logLevel,
        signal: ctx.signal,
        executorLimits: ctx.config.executorLimits,
        resume: canResume || undefined,
        budget: {limit: runLimit({pipeline: pipeline.budget?.run, config: ctx.config.budget}), prices: ctx.config.prices, parent: ctx.ledger},
      })
    } catch (error) {
      const message = (error as Error).message
      await store.updateEvalRun(evalId, row.run_key, {status: 'error', error: message})
      return {row, status: 'error', adwId, checks: [], error: message}
    }
  }
  if (outcome.status === 'budget_exceeded' || outcome.status === 'cancelled' || ctx.signal.aborted) {
    const status = outcome.status === 'budget_exceeded' ? 'budget_exceeded' : 'cancelled'
    await store.updateEvalRun(evalId, row.run_key, {status, error: outcome.error ?? null})
    return {row, status, adwId, outcome, checks: [], error: outcome.error}
  }
  if (outcome.status !== 'succeeded') {
    const error = `the run ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`
    await decide(ctx, row, adwId, dir, 'failed', [], error)
    return {row, status: 'failed', adwId, outcome, checks: [], error}
  }
  const judged = await runChecks(ctx, row, c, adwId, dir, model)
  if (judged.stopped) {
    await store.updateEvalRun(evalId, row.run_key, {status: judged.stopped, checks: judged.checks, judgeAdwId: judged.judgeAdwId ?? null})
    return {row, status: judged.stopped, adwId, outcome, checks: judged.checks}
  }
  const passed = judged.checks.every(k => k.passed)
  const failedCheck = judged.checks.find(k => !k.passed)
  const error = failedCheck ? `check failed: ${failedCheck.name}${failedCheck.detail ? ` (${failedCheck.detail.split('\n')[0]})` : ''}` : undefined
  await decide(ctx, row, adwId, dir, passed ? 'passed' : 'failed', judged.checks, error, judged.judgeAdwId)
  return {row, status: passed ? 'passed' : 'failed', adwId, outcome, checks: judged.checks, error}
}

/** Command and file checks in order; the judge last, only when they all passed (it costs money). */
async function runChecks(ctx: EvalContext, row: EvalRunRow, c: PlannedCase, adwId: string, dir: string, model: string | undefined): Promise<{checks: CheckResult[]; judgeAdwId?: string; stopped?: 'budget_exceeded' | 'cancelled'}> {
  const {store} = ctx
  const checks: CheckResult[] = []
  const warn = (message: string) => store.log({adwId, stepName: 'eval', level: 'WARNING', type: 'state_change', message})
  for (const check of c.checks) {
    if (check.kind === 'judge') continue
    checks.push(await runCheck(check, {dir, env: ctx.config.env, sandbox: ctx.config.sandbox, adwId, warn, signal: ctx.signal}))
  }
  let judgeAdwId: string | undefined
  for (const check of c.checks) {
    if (check.kind !== 'judge' || !checks.every(k => k.passed)) continue
    judgeAdwId = await freshId(store, adwId, 0, 'judge')
    await store.updateEvalRun(ctx.evalId, row.run_key, {status: 'running', judgeAdwId})
    const pipeline = await judgePipeline(ctx.registry)
    const started = Date.now()
    const judgeModel = check.model ?? model ?? ctx.config.model
    const outcome = await runPipeline({
      pipeline,
      adwId: judgeAdwId,
      inputs: {task: c.task, rubric: check.rubric, model: judgeModel ?? ''},
      workingDir: dir,
      store,
      reporter: new SilentReporter(),
      env: ctx.config.env,
      model: judgeModel,
      sandbox: ctx.config.sandbox,
      logLevel: ctx.config.logLevel,
      signal: ctx.signal,
      budget: {limit: {}, prices: ctx.config.prices, parent: ctx.ledger},
    })
    if (outcome.status === 'budget_exceeded' || outcome.status === 'cancelled') return {checks, judgeAdwId, stopped: outcome.status}
    const step = (await store.listSteps(judgeAdwId)).find(s => s.step_id === 'judge' && s.status === 'succeeded')
    checks.push(judgeResult(check.name, judgeAdwId, Date.now() - started, outcome, step?.outputs ? JSON.parse(step.outputs) : undefined))
  }
  for (const k of checks) {
    store.log({adwId, stepName: 'eval', level: k.passed ? 'INFO' : 'WARNING', type: 'milestone', message: `Eval check ${k.passed ? 'passed' : 'failed'}: ${k.name}${k.detail ? ` (${k.detail.split('\n')[0]})` : ''}`, details: {evalId: ctx.evalId, check: k}})
  }
  await store.flush()
  return {checks, ...(judgeAdwId ? {judgeAdwId} : {})}
}

/** Records the decision and removes the folder (unless --keep-workspaces). */
async function decide(ctx: EvalContext, row: EvalRunRow, adwId: string, dir: string, status: 'passed' | 'failed', checks: CheckResult[], error?: string, judgeAdwId?: string): Promise<void> {
  await ctx.store.updateEvalRun(ctx.evalId, row.run_key, {status, checks, error: error ?? null, ...(judgeAdwId ? {judgeAdwId} : {}), ...(ctx.keepWorkspaces ? {} : {workspace: null})})
  if (!ctx.keepWorkspaces) await removeWorkspace(ctx.store, ctx.cases.get(row.case_id)!.start.kind, dir, adwId)
}

/** `<eval id>-<n>` (then `-<n>-2`, ... when a run of that id exists: a trial run again from scratch). */
async function freshId(store: Store, base: string, position: number, suffix?: string): Promise<string> {
  const stem = suffix ? `${base}-${suffix}` : `${base}-${String(position + 1).padStart(3, '0')}`
  if (!(await store.getRun(stem))) return stem
  for (let n = 2; ; n++) if (!(await store.getRun(`${stem}-${n}`))) return `${stem}-${n}`
}
