import {existsSync, readFileSync, statSync} from 'node:fs'
import {hostname} from 'node:os'
import {resolve} from 'node:path'
import {resolveConfig} from '../config.js'
import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {loadPipeline, loadPipelineSource} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import {aliasRegistry} from '../plugins/alias.js'
import {createRegistry, type ExecutorRegistry} from '../plugins/registry.js'
import {effectiveStatus, lockedError, ownerAlive} from '../store/status.js'
import type {RunRow} from '../store/types.js'
import {resolveRunInputs, restoreInputs} from '../secrets/inputs.js'
import {describeIgnored} from '../secrets/sources.js'
import {stopOrphans} from './orphans.js'
import {runPipeline, type RunOutcome} from './run.js'
import {forcedFrom} from './from.js'
import type {ResumeContext} from './memo.js'
import {engineOptions, findPipeline, preflight, planObservers, runObservers, type RunCommandOptions} from './start.js'
import {runLimit, type Budget} from '../budget/limits.js'
import {checkPrices} from '../budget/preflight.js'

/** `executors`, when given, replace the run's own `--executor` substitutions. */
export interface ResumeOptions extends RunCommandOptions {
  adwId: string
  /** `--input name=value` for the inputs stored masked (secret ones), which adw cannot give back. */
  inputs?: Record<string, string>
  /** Notes for the user (stderr): the snapshot is used, nothing to resume. */
  note?: (line: string) => void
  /** `--from <step>`: that step and everything downstream of it run again, whatever their keys say. */
  from?: string
  /**
   * `--pipeline <file>`: continue with this (edited) pipeline instead of the stored snapshot. It is
   * loaded and checked before anything is written, and recorded as the run's pipeline.
   */
  pipeline?: string
  /**
   * A queue worker takes the run (`adw worker`): only a run that is queued, interrupted (its process
   * died) or waiting is taken; any other (finished, cancelled meanwhile) comes back `skipped`, untouched.
   * `workingDir`: the worker's checkout, where the run works from now on (recorded with the claim).
   */
  worker?: {workingDir?: string}
}

/** What a queue worker may take over: a run no live process drives and that has not ended. */
const WORKER_TAKES = new Set(['queued', 'interrupted', 'waiting'])

/**
 * `adw run --resume`: continues a run that failed, was cancelled or whose process died, with the
 * pipeline snapshot (or `--pipeline <file>`), inputs and working directory stored with it. A
 * completed step run is reused only while its resume key matches (see memo.ts): an edited step,
 * input or upstream output makes it, and what depends on it, run again; `--from` forces a step and
 * its downstream. A succeeded run runs nothing unless `--from` or `--pipeline` asks for it. Refuses
 * (RUN_LOCKED, exit 2) while another live process drives the run; the claim itself is one IMMEDIATE
 * transaction (store.claimRun).
 */
export async function resumeRun(opts: ResumeOptions): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd()
  const note = opts.note ?? (() => {})
  const dbPath = (await resolveConfig({cwd, db: opts.db})).dbPath
  const store = await openExistingStore(dbPath)
  const reopen = opts.from !== undefined || opts.pipeline !== undefined
  try {
    const run = await requireRun(store, opts.adwId)
    if (opts.worker && !WORKER_TAKES.has(effectiveStatus(run)) && !(run.status === 'running' && ownerAlive(run))) return skipped(run)
    if (run.status === 'succeeded' && !reopen) return alreadySucceeded(run, note)
    // A run waiting under `adw run --wait` is still driven by that live process.
    if ((run.status === 'running' || (run.status === 'waiting' && run.finished_at === null)) && ownerAlive(run)) throw lockedError(run, store.location)

    // A run in a worktree gets it back, re-created from its branch if it was pruned.
    // Its .env and configuration are the checkout's (configDir), as when it started.
    const {workingDir, configDir} = opts.worker?.workingDir
      ? {workingDir: opts.worker.workingDir, configDir: opts.worker.workingDir}
      : (await store.getWorktree(run.adw_id)) ? await (await import('../worktrees/index.js')).worktreeDirForResume(store, run, note) : {workingDir: run.working_dir, configDir: run.working_dir}
    if (!existsSync(workingDir) || !statSync(workingDir).isDirectory()) {
      throw new AdwError('USAGE', `Cannot resume run "${run.adw_id}": its working directory ${workingDir} no longer exists`, {suggestions: ['restore the directory, or start a new run']})
    }
    const config = await resolveConfig({cwd, workingDir: configDir, db: dbPath, model: opts.model})
    const stored: string[] = run.executor_aliases ? JSON.parse(run.executor_aliases) : []
    const executors = opts.executors?.length ? opts.executors : stored
    if (stored.length && !opts.executors?.length) note(`Executors as when the run started: --executor ${stored.join(' --executor ')}`)
    const registry = aliasRegistry(opts.registry ?? createRegistry(), executors)
    const pipeline = opts.pipeline !== undefined ? await loadPipeline(findPipeline(opts.pipeline, cwd, config.projectRoot), {registry}) : await loadSnapshot(run, registry)
    const samePipeline = pipeline.source === run.pipeline_snapshot
    const changed = opts.pipeline === undefined ? snapshotNote(run) : undefined
    if (changed) note(changed)
    const forced = opts.from !== undefined ? forcedFrom(pipeline, opts.from) : undefined
    const inputs = withNewInputs(pipeline, run.adw_id, restoreInputs(pipeline, run.adw_id, JSON.parse(run.inputs) as Record<string, unknown>, opts.inputs ?? {}))
    // The limits stored with the run, unless --max-usd & co. give new ones (resume with a higher limit).
    const limit = runLimit({flags: opts.budget, stored: run.budget ? (JSON.parse(run.budget) as Budget) : undefined, pipeline: pipeline.budget?.run, config: config.budget})
    checkPrices(pipeline, {limit, inputs, model: config.model, prices: config.prices})
    preflight(pipeline, config.env, workingDir)
    const observing = await planObservers(config, pipeline)
    for (const v of config.ignored) note(`Warning: ${describeIgnored(v)}`)

    const claim = await store.claimRun(run.adw_id, {reopen, ...(opts.pipeline !== undefined ? {pipeline: {name: pipeline.name, file: pipeline.file, snapshot: pipeline.source}} : {}), ...(opts.worker ? {worker: true, workingDir} : {})})
    if (opts.worker && !WORKER_TAKES.has(claim.previous.status)) return skipped(claim.previous) // cancelled or finished meanwhile
    if (claim.previous.status === 'succeeded' && !reopen) return alreadySucceeded(claim.previous, note) // won by a concurrent resume
    const {pid, host} = claim.previous
    const orphans = pid !== null && pid !== process.pid && host === hostname() ? await stopOrphans(pid, run.adw_id) : []
    const observers = await runObservers(config, opts, store, run.adw_id, observing, workingDir)
    const resume: ResumeContext = {samePipeline, ...(forced ? {forced, from: opts.from} : {})}
    return await runPipeline({
      pipeline,
      adwId: run.adw_id,
      inputs,
      workingDir,
      store,
      ...engineOptions(config, opts, observers),
      budget: {limit, prices: config.prices},
      resume: true,
      resumeContext: resume,
      resumeDetails: {
        previousStatus: claim.previous.status,
        previousPid: claim.previous.pid,
        previousHost: claim.previous.host,
        ...(claim.interruptedSteps.length ? {interruptedSteps: claim.interruptedSteps} : {}),
        ...(orphans.length ? {stoppedLeftoverProcesses: orphans} : {}),
        ...(changed ? {snapshotDiffersFromFile: true} : {}),
        ...(opts.pipeline !== undefined ? {pipelineFile: pipeline.file, pipelineChanged: !samePipeline} : {}),
        ...(opts.from !== undefined ? {from: opts.from, forcedSteps: [...forced!]} : {}),
      },
    })
  } finally {
    await store.close()
  }
}

/**
 * Inputs an edited pipeline (`--pipeline`) declares that the run was not started with: their
 * defaults. One without a default is refused (exit 2): the run has no value to give it.
 */
function withNewInputs(pipeline: Pipeline, adwId: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const fresh = Object.keys(pipeline.inputs).filter(n => !(n in inputs))
  if (fresh.length === 0) return inputs
  const lacking = fresh.filter(n => pipeline.inputs[n].default === undefined && pipeline.inputs[n].required)
  if (lacking.length) {
    throw new AdwError('USAGE', `${pipeline.file} declares input(s) ${lacking.join(', ')} that run "${adwId}" was not started with, and without a default`, {
      suggestions: ['give them a default in the pipeline file, or start a new run with them'],
    })
  }
  const only = {...pipeline, inputs: Object.fromEntries(fresh.map(n => [n, pipeline.inputs[n]]))}
  return {...resolveRunInputs(only, {}), ...inputs}
}

/** A queue worker's job whose run is not its to take: nothing ran. */
function skipped(run: RunRow): RunOutcome {
  return {adwId: run.adw_id, status: effectiveStatus(run), durationMs: 0, totals: {inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0}, skipped: true}
}

function alreadySucceeded(run: RunRow, note: (line: string) => void): RunOutcome {
  note(`Run "${run.adw_id}" already succeeded${run.finished_at ? ` (finished ${run.finished_at})` : ''}; nothing to resume.`)
  return {
    adwId: run.adw_id,
    status: 'succeeded',
    durationMs: run.duration_ms ?? 0,
    totals: {
      inputTokens: run.input_tokens,
      outputTokens: run.output_tokens,
      cacheCreationTokens: run.cache_creation_tokens,
      cacheReadTokens: run.cache_read_tokens,
      costUsd: run.cost_usd,
    },
  }
}

/** The pipeline exactly as it ran: the stored text, loaded as if it were still at its path. */
async function loadSnapshot(run: RunRow, registry: ExecutorRegistry): Promise<Pipeline> {
  try {
    return await loadPipelineSource(run.pipeline_snapshot, run.pipeline_file, {registry})
  } catch (error) {
    if (!(error instanceof AdwError)) throw error
    throw new AdwError(error.code, `Cannot resume run "${run.adw_id}": the pipeline stored with it no longer loads (an executor plugin removed?):\n${error.message}`, {
      suggestions: error.suggestions,
      cause: error,
    })
  }
}

/** A note when the file at pipeline_file is no longer the text the run started with. */
function snapshotNote(run: RunRow): string | undefined {
  const file = resolve(run.pipeline_file)
  let now: string
  try {
    now = readFileSync(file, 'utf8')
  } catch {
    return `Note: ${run.pipeline_file} is gone; resuming with the pipeline snapshot stored with the run.`
  }
  if (now === run.pipeline_snapshot) return undefined
  return `Note: ${run.pipeline_file} changed since run "${run.adw_id}" started; resuming with the snapshot stored with the run (to use the edited file: adw run --resume --adw-id ${run.adw_id} --pipeline ${run.pipeline_file}).`
}
