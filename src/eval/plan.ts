/**
 * What an eval will run, decided before anything is written (bad input: exit 2): the suite, the
 * pipelines and models to compare (flags over the suite), every case's task, and the trial list
 * (case × pipeline × model × repeat, in that order).
 */
import {existsSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {checkPrices} from '../budget/preflight.js'
import type {ResolvedConfig} from '../config.js'
import {findPipeline, preflight} from '../engine/start.js'
import {AdwError} from '../errors.js'
import {loadPipeline, loadPipelineSource} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import type {NewEvalRun} from '../store/eval-types.js'
import type {Suite} from './suite.js'
import {trialInputs, type PlannedCase} from './trial.js'

/** The options stored with an eval (evals.options), enough to resume it without the files. */
export interface StoredOptions {
  pipelines: Array<{label: string; file: string; source: string}>
  models: Array<{label: string; model?: string}>
  repeat: number
  concurrency: number
  maxUsd?: number
  /** Each case's task as resolved at the start (an issue is not fetched again). */
  tasks: Record<string, {task: string; issueInput?: unknown}>
}

export interface EvalFlags {
  pipelines?: string[]
  models?: string[]
  repeat?: number
  concurrency?: number
  maxUsd?: number
}

export const DEFAULT_EVAL_CONCURRENCY = 4

/** Loads the pipelines and resolves everything a new eval needs. */
export async function planEval(suite: Suite, flags: EvalFlags, config: ResolvedConfig, registry: ExecutorRegistry, cwd: string): Promise<StoredOptions> {
  const names = flags.pipelines ?? suite.pipelines
  if (!names?.length) throw new AdwError('USAGE', `The suite ${suite.name} names no pipeline to run`, {suggestions: ['add pipelines: [plan-build] to the suite', 'or pass --pipeline plan-build,plan-build-review']})
  const pipelines = []
  for (const name of names) {
    // A path relative to the suite file, else as `adw run` finds it (cwd, the project's pipelines/, the built-ins).
    const nearSuite = resolve(dirname(suite.file), name)
    const file = existsSync(nearSuite) && /\.ya?ml$/.test(name) ? nearSuite : findPipeline(name, cwd, config.projectRoot)
    const pipeline = await loadPipeline(file, {registry})
    pipelines.push({label: name, file, source: pipeline.source, pipeline})
  }
  const modelNames = flags.models ?? suite.models
  const models = modelNames?.length ? modelNames.map(m => ({label: m, model: m})) : [{label: config.model ?? 'default', model: config.model}]
  const tasks: StoredOptions['tasks'] = {}
  for (const c of suite.cases) {
    if (c.prompt !== undefined) {
      tasks[c.id] = {task: c.prompt}
      continue
    }
    const {issuePrompt, loadIssue} = await import('../github/issue-run.js')
    const issue = await loadIssue(c.issue!, {env: config.env, workingDir: c.start.kind === 'repo' ? c.start.repo : dirname(suite.file)})
    tasks[c.id] = {task: issuePrompt(issue), issueInput: issue}
  }
  const options: StoredOptions = {
    pipelines: pipelines.map(({label, file, source}) => ({label, file, source})),
    models,
    repeat: flags.repeat ?? suite.repeat ?? 1,
    concurrency: flags.concurrency ?? suite.concurrency ?? DEFAULT_EVAL_CONCURRENCY,
    ...((flags.maxUsd ?? suite.maxUsd) !== undefined ? {maxUsd: flags.maxUsd ?? suite.maxUsd} : {}),
    tasks,
  }
  // Every case's inputs against every pipeline, the executors' needs (an API key) and prices under a USD limit: refused now, not mid-eval.
  const cases = plannedCases(suite, options)
  for (const {pipeline, label} of pipelines) {
    preflight(pipeline, config.env, cwd)
    for (const m of models) {
      for (const c of cases.values()) {
        const inputs = withContext(() => trialInputs(pipeline, c, m.model), `case "${c.id}" with pipeline ${label}`)
        if (options.maxUsd !== undefined) checkPrices(pipeline, {limit: {usd: options.maxUsd}, inputs, model: m.model ?? config.model, prices: config.prices})
      }
    }
  }
  return options
}

/** The stored pipelines, loaded from their texts (a resumed eval runs what it started with). */
export async function loadStoredPipelines(options: StoredOptions, registry: ExecutorRegistry): Promise<Map<string, Pipeline>> {
  const out = new Map<string, Pipeline>()
  for (const p of options.pipelines) out.set(p.label, await loadPipelineSource(p.source, p.file, {registry}))
  return out
}

export function plannedCases(suite: Suite, options: StoredOptions): Map<string, PlannedCase> {
  return new Map(suite.cases.map(c => [c.id, {...c, ...options.tasks[c.id]}]))
}

/** Every trial, case by case: each case × pipeline × model × repeat. */
export function trials(suite: Suite, options: StoredOptions): NewEvalRun[] {
  const out: NewEvalRun[] = []
  for (const c of suite.cases) {
    for (const p of options.pipelines) {
      for (const m of options.models) {
        for (let r = 1; r <= options.repeat; r++) out.push({runKey: `${c.id} · ${p.label} · ${m.label} · #${r}`, position: out.length, caseId: c.id, pipeline: p.label, model: m.label, repeat: r})
      }
    }
  }
  return out
}

function withContext<T>(fn: () => T, where: string): T {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof AdwError)) throw error
    throw new AdwError(error.code, `${where}: ${error.message}`, {suggestions: ['give the input in the case\'s inputs: (or the suite\'s)']})
  }
}
