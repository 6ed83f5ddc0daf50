/**
 * `adw run <pipeline> --queue [name]`: the run is checked as `adw run` checks it (pipeline, inputs,
 * budget), recorded as `queued` with its pipeline snapshot and inputs, and a job carrying its id is
 * put on the queue; the command returns at once. A worker (`adw worker`) executes it. Nothing is
 * written when a check fails or the queue cannot be reached.
 */
import type {ResolvedConfig} from '../config.js'
import {AdwError} from '../errors.js'
import type {Pipeline} from '../pipeline/types.js'
import {recordedInputs, secretInputValues} from '../secrets/inputs.js'
import {MASK} from '../secrets/redactor.js'
import {envRedactor} from '../secrets/redactor.js'
import type {Budget} from '../budget/limits.js'
import {pipelineEdges} from '../engine/run.js'
import type {Store} from '../store/types.js'
import {ensureQueue, openBoss, sendRun, type RunJob} from './boss.js'
import {queueSettings} from './settings.js'

export interface SubmitRequest {
  queue: string
  pipeline: Pipeline
  inputs: Record<string, unknown>
  workingDir: string
  config: ResolvedConfig
  executors?: string[]
  limit: Budget
}

/** Checks what a worker could not do, reaches the queue, then records and enqueues the run. */
export async function submitRun(store: Store, adwId: string, req: SubmitRequest): Promise<{adwId: string; queue: string; jobId: string}> {
  const recorded = recordedInputs(req.pipeline, req.inputs, envRedactor(req.config.env, secretInputValues(req.pipeline, req.inputs)))
  const masked = Object.keys(recorded).filter(n => JSON.stringify(recorded[n]).includes(MASK))
  if (masked.length) {
    throw new AdwError('USAGE', `A queued run cannot carry secret values: input(s) ${masked.join(', ')} would be stored masked, and a worker could not get them back`, {
      suggestions: ['give workers the secret through their environment (or .env), and leave it out of the inputs', 'or run it here without --queue'],
    })
  }
  const settings = queueSettings(req.config.env, req.config.dbPath)
  const boss = await openBoss(settings, 'client')
  try {
    await ensureQueue(boss, settings, req.queue)
    await store.createRun({
      adwId,
      pipelineName: req.pipeline.name,
      pipelineFile: req.pipeline.file,
      pipelineSnapshot: req.pipeline.source,
      inputs: recorded,
      workingDir: req.workingDir,
      executorAliases: req.executors,
      budget: req.limit,
      graph: pipelineEdges(req.pipeline),
      queue: req.queue,
    })
    store.log({adwId, level: 'INFO', type: 'milestone', message: `Run queued: ${req.pipeline.name} (queue ${req.queue})`, details: {pipeline: req.pipeline.name, file: req.pipeline.file, inputs: recorded, workingDir: req.workingDir, queue: req.queue}})
    await store.flush()
    let jobId: string
    try {
      jobId = await sendRun(boss, req.queue, {adwId, reason: 'start'} satisfies RunJob)
    } catch (error) {
      await store.finishRun(adwId, 'failed', `could not be enqueued: ${(error as Error).message}`)
      throw error
    }
    return {adwId, queue: req.queue, jobId}
  } finally {
    await boss.stop({graceful: false, close: true}).catch(() => {})
  }
}

/** Puts an existing run back on its queue (after `adw approve` of a run that came from the queue). */
export async function requeueRun(env: Record<string, string | undefined>, storeLocation: string, adwId: string, queue: string): Promise<string> {
  const settings = queueSettings(env, storeLocation)
  const boss = await openBoss(settings, 'client')
  try {
    await ensureQueue(boss, settings, queue)
    return await sendRun(boss, queue, {adwId, reason: 'resume'})
  } finally {
    await boss.stop({graceful: false, close: true}).catch(() => {})
  }
}
