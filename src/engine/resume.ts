import {existsSync, readFileSync, statSync} from 'node:fs'
import {hostname} from 'node:os'
import {resolve} from 'node:path'
import {resolveConfig} from '../config.js'
import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {loadPipelineSource} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import {aliasRegistry} from '../plugins/alias.js'
import {createRegistry, type ExecutorRegistry} from '../plugins/registry.js'
import {lockedError, ownerAlive} from '../store/status.js'
import type {RunRow} from '../store/types.js'
import {restoreInputs} from '../secrets/inputs.js'
import {describeIgnored} from '../secrets/sources.js'
import {stopOrphans} from './orphans.js'
import {runPipeline, type RunOutcome} from './run.js'
import {telemetrySettings} from '../telemetry/index.js'
import {engineOptions, preflight, runObservers, type RunCommandOptions} from './start.js'

/** `executors`, when given, replace the run's own `--executor` substitutions. */
export interface ResumeOptions extends RunCommandOptions {
  adwId: string
  /** `--input name=value` for the inputs stored masked (secret ones), which adw cannot give back. */
  inputs?: Record<string, string>
  /** Notes for the user (stderr): the snapshot is used, nothing to resume. */
  note?: (line: string) => void
}

/**
 * `adw run --resume`: continues a run that failed, was cancelled or whose process died, with the
 * pipeline snapshot, inputs and working directory stored with it. Completed step runs are reused
 * (see the engine); a succeeded run runs nothing. Refuses (RUN_LOCKED, exit 2) while another live
 * process drives the run; the claim itself is one IMMEDIATE transaction (store.claimRun).
 */
export async function resumeRun(opts: ResumeOptions): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd()
  const note = opts.note ?? (() => {})
  const dbPath = (await resolveConfig({cwd, db: opts.db})).dbPath
  const store = openExistingStore(dbPath)
  try {
    const run = requireRun(store, opts.adwId)
    if (run.status === 'succeeded') return alreadySucceeded(run, note)
    if (run.status === 'running' && ownerAlive(run)) throw lockedError(run, store.path)

    const workingDir = run.working_dir
    if (!existsSync(workingDir) || !statSync(workingDir).isDirectory()) {
      throw new AdwError('USAGE', `Cannot resume run "${run.adw_id}": its working directory ${workingDir} no longer exists`, {suggestions: ['restore the directory, or start a new run']})
    }
    const config = await resolveConfig({cwd, workingDir, db: dbPath, model: opts.model})
    const stored: string[] = run.executor_aliases ? JSON.parse(run.executor_aliases) : []
    const executors = opts.executors?.length ? opts.executors : stored
    if (stored.length && !opts.executors?.length) note(`Executors as when the run started: --executor ${stored.join(' --executor ')}`)
    const pipeline = await loadSnapshot(run, aliasRegistry(opts.registry ?? createRegistry(), executors))
    const changed = snapshotNote(run)
    if (changed) note(changed)
    const inputs = restoreInputs(pipeline, run.adw_id, JSON.parse(run.inputs) as Record<string, unknown>, opts.inputs ?? {})
    preflight(pipeline, config.env, workingDir)
    const telemetry = telemetrySettings(config.env, config.telemetryOtlp)
    for (const v of config.ignored) note(`Warning: ${describeIgnored(v)}`)

    const claim = store.claimRun(run.adw_id)
    if (claim.previous.status === 'succeeded') return alreadySucceeded(claim.previous, note) // won by a concurrent resume
    const {pid, host} = claim.previous
    const orphans = pid !== null && pid !== process.pid && host === hostname() ? await stopOrphans(pid, run.adw_id) : []
    const observers = await runObservers(config, opts, store, run.adw_id, telemetry)
    return await runPipeline({
      pipeline,
      adwId: run.adw_id,
      inputs,
      workingDir,
      store,
      ...engineOptions(config, opts, observers),
      resume: true,
      resumeDetails: {
        previousStatus: claim.previous.status,
        previousPid: claim.previous.pid,
        previousHost: claim.previous.host,
        ...(claim.interruptedSteps.length ? {interruptedSteps: claim.interruptedSteps} : {}),
        ...(orphans.length ? {stoppedLeftoverProcesses: orphans} : {}),
        ...(changed ? {snapshotDiffersFromFile: true} : {}),
      },
    })
  } finally {
    store.close()
  }
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
  return `Note: ${run.pipeline_file} changed since run "${run.adw_id}" started; resuming with the snapshot stored with the run (start a new run to use the edited file).`
}
