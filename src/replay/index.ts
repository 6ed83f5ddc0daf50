/**
 * `adw replay <adw-id>`: runs a recorded run again with every model answer served from its recording
 * (src/replay/server.ts), in a worktree or copy of its working dir at the run's start (workspace.ts):
 * offline, at no cost, deterministic. The replay is a run of its own, recorded with a `replays` row
 * naming the run it replays; where a step's conversation leaves the recording it is a divergence.
 */
import {existsSync, realpathSync} from 'node:fs'
import {resolveConfig} from '../config.js'
import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {loadPipeline, loadPipelineSource} from '../pipeline/load.js'
import {aliasRegistry} from '../plugins/alias.js'
import {createRegistry} from '../plugins/registry.js'
import {restoreInputs} from '../secrets/inputs.js'
import type {Divergence} from '../store/types.js'
import {DEFAULT_RECORD} from '../engine/recorder.js'
import {runPipeline, type RunOutcome} from '../engine/run.js'
import {engineOptions, findPipeline, newAdwId, planObservers, preflight, runObservers, type RunCommandOptions} from '../engine/start.js'
import {describeRecording, loadRecording, stepKey} from './recorded.js'
import {startReplayServer} from './server.js'
import {makeWorkspace} from './workspace.js'

/** The key the executors get when no real one is needed: nothing leaves the machine. */
export const OFFLINE_KEY = 'sk-ant-adw-replay-offline'

export interface ReplayOptions extends RunCommandOptions {
  /** The recorded run. */
  adwId: string
  /** Id of the replay run (default: a fresh one). */
  newId?: string
  /** `--pipeline <file>`: replay with this (edited) pipeline instead of the recorded one. */
  pipeline?: string
  /** `--live-after-divergence`: a diverged step goes on against the real API. */
  live?: boolean
  /** `--keep`: leave the replay's working dir in place. */
  keep?: boolean
  /** `--input name=value` for the run's secret inputs (never stored). */
  inputs?: Record<string, string>
  note?: (line: string) => void
}

export interface ReplayOutcome extends RunOutcome {
  replayOf: string
  divergences: Divergence[]
  /** Calls answered from the recording. */
  served: number
  /** Calls that went to the real API. */
  live: number
  /** Where the replay worked (still there with --keep). */
  workingDir: string
}

export async function replayRun(opts: ReplayOptions): Promise<ReplayOutcome> {
  const cwd = opts.cwd ?? process.cwd()
  const note = opts.note ?? (() => {})
  const dbPath = (await resolveConfig({cwd, db: opts.db})).dbPath
  const store = await openExistingStore(dbPath)
  try {
    const run = await requireRun(store, opts.adwId)
    const recording = loadRecording(await store.listRecordings(run.adw_id))
    if (recording.size === 0) {
      throw new AdwError('USAGE', `Run "${run.adw_id}" has no recorded model calls to replay: it ran with record.enabled: false, before adw recorded calls, or without agent or claude-code steps`, {
        suggestions: ['record.enabled is on by default (adw.config.yaml record:); run the pipeline again, then adw replay <its id>'],
      })
    }
    const config = await resolveConfig({cwd, workingDir: existsSync(run.working_dir) ? run.working_dir : cwd, db: dbPath, model: opts.model})
    const realKey = config.env.ANTHROPIC_API_KEY?.trim()
    if (opts.live && !realKey) {
      throw new AdwError('PREFLIGHT', '--live-after-divergence sends the calls of a diverged step to the real API: it needs ANTHROPIC_API_KEY (environment or .env)', {suggestions: ['leave out --live-after-divergence to replay offline']})
    }
    const executors: string[] = run.executor_aliases ? JSON.parse(run.executor_aliases) : []
    const registry = aliasRegistry(opts.registry ?? createRegistry(), opts.executors?.length ? opts.executors : executors)
    const pipeline = opts.pipeline !== undefined ? await loadPipeline(findPipeline(opts.pipeline, cwd, config.projectRoot), {registry}) : await loadPipelineSource(run.pipeline_snapshot, run.pipeline_file, {registry})
    const inputs = restoreInputs(pipeline, run.adw_id, JSON.parse(run.inputs) as Record<string, unknown>, opts.inputs ?? {})
    const adwId = opts.newId ?? (await newAdwId(async id => (await store.getRun(id)) !== undefined))
    if (await store.getRun(adwId)) throw new AdwError('RUN_EXISTS', `a run with --adw-id ${adwId} already exists in ${dbPath}`, {suggestions: ['choose another --adw-id, or leave it out']})

    const space = await makeWorkspace(run, recording.base, await store.getWorktree(run.adw_id), [dbPath])
    const server = await startReplayServer({
      recording,
      workingDirs: [space.workingDir, realpathSync(space.workingDir)],
      recordedDirs: [run.working_dir, ...(existsSync(run.working_dir) ? [realpathSync(run.working_dir)] : [])],
      ...(opts.live ? {live: {baseURL: config.env.ANTHROPIC_BASE_URL?.trim() || 'https://api.anthropic.com'}} : {}),
    })
    try {
      for (const line of space.notes) note(`Note: ${line}`)
      if (opts.mode !== 'json' && opts.mode !== 'quiet') note(`Replaying run ${run.adw_id} as ${adwId} (${describeRecording(recording)}) in a ${space.how}${opts.live ? '; diverged steps go on against the real API' : ', offline'}`)
      // Every executor talks to the replay server; the key is a placeholder unless calls may go live.
      const {ANTHROPIC_AUTH_TOKEN: _token, ...rest} = config.env
      const env = {...rest, ANTHROPIC_API_KEY: opts.live ? realKey : OFFLINE_KEY, ANTHROPIC_BASE_URL: server.url}
      const replayConfig = {...config, env}
      preflight(pipeline, env, space.workingDir)
      const observers = await runObservers(replayConfig, opts, store, adwId, await planObservers(replayConfig, pipeline), space.workingDir)
      const base = engineOptions(replayConfig, opts, observers)
      await store.recordReplay({adwId, replayOf: run.adw_id})
      const outcome = await runPipeline({
        pipeline,
        adwId,
        inputs,
        workingDir: space.workingDir,
        store,
        ...base,
        stepEnv: step => ({...base.stepEnv?.(step), ANTHROPIC_BASE_URL: server.baseUrlFor(stepKey(step.stepId, step.iteration, step.index))}),
        executorAliases: opts.executors?.length ? opts.executors : executors,
        // Offline, every answer is already in the original's recording; calls that went live are new.
        record: opts.live ? base.record : {...(base.record ?? DEFAULT_RECORD), enabled: false},
      })
      await store.recordReplay({adwId, replayOf: run.adw_id, divergences: server.divergences, served: server.served, live: server.live})
      return {...outcome, replayOf: run.adw_id, divergences: server.divergences, served: server.served, live: server.live, workingDir: space.workingDir}
    } finally {
      await server.close()
      if (opts.keep) note(`Kept the replay's working dir: ${space.workingDir}`)
      else await space.remove()
    }
  } finally {
    await store.close()
  }
}
