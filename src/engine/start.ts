import {existsSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {resolveConfig, type ResolvedConfig} from '../config.js'
import {AdwError} from '../errors.js'
import {findProjectRoot, prepareStateDir} from '../project.js'
import {loadPipeline} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import type {StepExecutor} from '../plugins/types.js'
import {aliasRegistry} from '../plugins/alias.js'
import {createRegistry, type ExecutorRegistry} from '../plugins/registry.js'
import {openStore} from '../store/open.js'
import type {Store} from '../store/types.js'
import {resolveRunInputs} from '../secrets/inputs.js'
import {describeIgnored} from '../secrets/sources.js'
import {createReporter} from '../ui/index.js'
import {runLimit, type Budget} from '../budget/limits.js'
import {checkPrices} from '../budget/preflight.js'
import {telemetrySettings, type TelemetrySettings} from '../telemetry/index.js'
import {fanOut, logsToEmit} from './fanout.js'
import type {NotifyTarget} from '../notify/index.js'
import {notifyTargets, observe, type Observers} from './observe.js'
import {runPipeline, type RunOptions, type RunOutcome} from './run.js'

/** The package root (two levels above this module in dist/ and in src/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** What a new run and a resumed one have in common. */
export interface RunCommandOptions {
  db?: string
  /** `--max-usd/--max-tokens/--max-minutes`: over the run's stored, pipeline and config limits. */
  budget?: Budget
  /** `--wait`: block at an approval gate until it is decided. */
  wait?: boolean
  /** `--wait-for-quota`: a step stopped by a usage limit sleeps until the reset, then runs again. */
  waitForQuota?: boolean
  model?: string
  mode?: 'auto' | 'json' | 'quiet' | 'silent'
  /** `auto` mode: stream each step's output under it. */
  verbose?: boolean
  /** Where adw was started (database and config are found from here). */
  cwd?: string
  registry?: ExecutorRegistry
  /** `FROM=TO` executor substitutions (`agent=claude-code`). */
  executors?: string[]
  signal?: AbortSignal
  /** `--concurrency N`: most steps running at once (over the pipeline's `concurrency:`). */
  concurrency?: number
}

export interface StartOptions extends RunCommandOptions {
  /** A path, or a bare name looked up in ./pipelines then the package's pipelines/. */
  pipeline: string
  adwId?: string
  prompt?: string
  /** `key=value` strings from `--input`. */
  inputs?: string[]
  workingDir?: string
  /** Where the generated id is announced (not with --json). */
  announce?: (line: string) => void
  /** Show what would run (see planDryRun) instead of running; nothing is written. */
  dryRun?: {print: (text: string) => void; json?: boolean}
  /** Work in a new git worktree (true), in place (false), or as the pipeline / adw.config.yaml `isolation:` say (undefined). */
  worktree?: boolean
  /** With a worktree: the commit-ish its branch starts from. @default HEAD */
  base?: string
  /** With a worktree: its branch. @default adw/<adw-id> */
  branch?: string
  /** `--issue`: a GitHub issue (number, owner/name#n or URL) whose title and body are the prompt. */
  issue?: string
  /** `--queue [name]`: record the run as queued on this queue and return at once (an `adw worker` executes it). */
  queue?: string
}

/** The engine options that come from the configuration, the command's flags and the run's observers (telemetry, notifications). */
export function engineOptions(config: ResolvedConfig, opts: RunCommandOptions, observers: Observers = {subscribers: []}): Pick<RunOptions, 'reporter' | 'env' | 'model' | 'sandbox' | 'logLevel' | 'signal' | 'emitLogs' | 'warnings' | 'stepEnv' | 'wait' | 'waitForQuota' | 'concurrency' | 'executorLimits' | 'record'> {
  const viewLogs = opts.mode === 'json' || (opts.verbose === true && (opts.mode ?? 'auto') === 'auto')
  return {
    wait: opts.wait,
    waitForQuota: opts.waitForQuota,
    concurrency: opts.concurrency,
    executorLimits: config.executorLimits,
    record: config.record,
    warnings: config.ignored.map(describeIgnored),
    reporter: fanOut(createReporter(opts.mode ?? 'auto', {verbose: opts.verbose}), viewLogs, observers.subscribers),
    env: config.env,
    model: config.model,
    sandbox: config.sandbox,
    logLevel: config.logLevel,
    signal: opts.signal,
    emitLogs: logsToEmit(viewLogs, observers.subscribers),
    ...(observers.stepEnv ? {stepEnv: observers.stepEnv} : {}),
  }
}

/** What watches a run, decided before it starts (bad settings: exit 2, nothing recorded). */
export interface ObserverPlan {
  telemetry?: TelemetrySettings
  notify?: NotifyTarget[]
}

export async function planObservers(config: ResolvedConfig, pipeline: Pipeline): Promise<ObserverPlan> {
  return {telemetry: telemetrySettings(config.env, config.telemetryOtlp), notify: await notifyTargets(config, pipeline)}
}

/** The run's observers; their warnings go to stderr unless nothing may be printed. */
export function runObservers(config: ResolvedConfig, opts: RunCommandOptions, store: Store, adwId: string, plan: ObserverPlan, workingDir: string): Promise<Observers> {
  return observe({adwId, store, env: config.env, ...plan, uiUrl: config.uiUrl, workingDir, stderr: opts.mode === 'silent' ? undefined : process.stderr})
}

/** `adw run`: resolves everything, refuses bad input with exit 2 before writing, then runs. */
export async function startRun(opts: StartOptions): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd()
  // Like npm's scripts, a run works in the project root wherever in the project it was started.
  const workingDir = opts.workingDir !== undefined ? resolve(cwd, opts.workingDir) : findProjectRoot(cwd).dir
  if (!existsSync(workingDir) || !statSync(workingDir).isDirectory()) {
    throw new AdwError('USAGE', `--working-dir ${opts.workingDir} does not exist or is not a directory`, {suggestions: ['create it first, or pass an existing directory']})
  }
  const config = await resolveConfig({cwd, workingDir, db: opts.db, model: opts.model})
  const registry = aliasRegistry(opts.registry ?? createRegistry(), opts.executors ?? [])
  const file = findPipeline(opts.pipeline, cwd, config.projectRoot)
  const pipeline = await loadPipeline(file, {registry})
  const given = parseInputFlags(opts.inputs ?? [], opts.prompt)
  const issueRun = opts.issue !== undefined ? await import('../github/issue-run.js') : undefined
  const issue = issueRun && (await issueRun.issueForRun(opts.issue!, pipeline, given, {env: config.env, workingDir}))
  const inputs = resolveRunInputs(pipeline, given)
  if (issue && 'issue' in pipeline.inputs) inputs.issue = issue
  const isolated = opts.worktree ?? (pipeline.isolation ?? config.isolation) === 'worktree'
  if (!isolated && (opts.base !== undefined || opts.branch !== undefined)) {
    throw new AdwError('USAGE', `${opts.base !== undefined ? '--base' : '--branch'} names the branch of a run's worktree; it needs --worktree (or isolation: worktree)`, {suggestions: ['adw run <pipeline> --worktree --base main']})
  }
  if (isolated) await (await import('../worktrees/index.js')).repositoryRoot(workingDir)
  if (opts.dryRun) return dryRun(pipeline, inputs, config, workingDir, cwd, opts.dryRun, opts.budget)
  const limit = runLimit({flags: opts.budget, pipeline: pipeline.budget?.run, config: config.budget})
  checkPrices(pipeline, {limit, inputs, model: config.model, prices: config.prices})
  // A queued run is checked by the worker that takes it (its API key, its binaries), not here.
  if (opts.queue !== undefined) return queueRun(opts, {config, pipeline, inputs, workingDir, limit, isolated})
  preflight(pipeline, config.env, workingDir)
  const observing = await planObservers(config, pipeline)

  if (opts.adwId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(opts.adwId)) {
    throw new AdwError('USAGE', `--adw-id "${opts.adwId}" is not a valid id: use letters, digits, '.', '_' and '-' (at most 128)`)
  }
  prepareStateDir(config.dbPath)
  for (const v of config.ignored) opts.announce?.(`Warning: ${describeIgnored(v)}`)
  // A --db flag names a file in an existing folder; a configured path may create its folder.
  const store = await openStore(config.dbPath, {createParent: opts.db === undefined})
  try {
    const adwId = opts.adwId ?? (await newAdwId(async id => (await store.getRun(id)) !== undefined))
    if (opts.adwId !== undefined && (await store.getRun(adwId))) {
      throw new AdwError('RUN_EXISTS', `a run with --adw-id ${adwId} already exists in ${config.dbPath}`, {
        suggestions: [`choose another --adw-id, or continue it with: adw run --resume --adw-id ${adwId}`],
      })
    }
    const chatty = opts.mode !== 'json' && opts.mode !== 'quiet'
    if (!opts.adwId && chatty) opts.announce?.(`adw id: ${adwId}`)
    // The run works in its worktree; its configuration and .env stay those of the checkout (read above).
    const runDir = isolated ? await worktreeFor(store, adwId, workingDir, opts, chatty) : workingDir
    const observers = await runObservers(config, opts, store, adwId, observing, runDir)
    // github.comments: true in adw.config.yaml: the issue of an --issue run hears when it starts and ends.
    const comments = issue && config.githubComments ? issueRun!.issueComments(issue, config.env, line => opts.announce?.(line)) : undefined
    await comments?.post(`adw run \`${adwId}\` started: pipeline ${pipeline.name}${isolated ? ` on branch ${(await store.getWorktree(adwId))?.branch}` : ''}.`)
    const outcome = await runPipeline({pipeline, adwId, inputs, workingDir: runDir, store, ...engineOptions(config, opts, observers), executorAliases: opts.executors, budget: {limit, prices: config.prices}})
    await comments?.post(issueRun!.finishedComment(adwId, outcome))
    return outcome
  } finally {
    await store.close()
  }
}

/** `adw run --queue`: records the run as queued and enqueues it (src/queue/submit.ts); the outcome's status is `queued`. */
async function queueRun(opts: StartOptions, req: {config: ResolvedConfig; pipeline: Pipeline; inputs: Record<string, unknown>; workingDir: string; limit: Budget; isolated: boolean}): Promise<RunOutcome> {
  if (req.isolated) {
    throw new AdwError('USAGE', 'A queued run works where its worker says (adw worker --working-dir), so --worktree (or isolation: worktree) does not go with --queue', {suggestions: ['adw run <pipeline> --queue --no-worktree', 'adw worker --working-dir <checkout>']})
  }
  const {submitRun} = await import('../queue/submit.js')
  const {checkQueueName} = await import('../queue/settings.js')
  checkQueueName(opts.queue!)
  if (opts.adwId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(opts.adwId)) {
    throw new AdwError('USAGE', `--adw-id "${opts.adwId}" is not a valid id: use letters, digits, '.', '_' and '-' (at most 128)`)
  }
  prepareStateDir(req.config.dbPath)
  const store = await openStore(req.config.dbPath, {createParent: opts.db === undefined})
  try {
    const adwId = opts.adwId ?? (await newAdwId(async id => (await store.getRun(id)) !== undefined))
    if (opts.adwId !== undefined && (await store.getRun(adwId))) {
      throw new AdwError('RUN_EXISTS', `a run with --adw-id ${adwId} already exists in ${req.config.dbPath}`, {suggestions: [`choose another --adw-id`]})
    }
    const queued = await submitRun(store, adwId, {queue: opts.queue!, pipeline: req.pipeline, inputs: req.inputs, workingDir: req.workingDir, config: req.config, executors: opts.executors, limit: req.limit})
    return {adwId, status: 'queued', durationMs: 0, totals: {inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0}, queued}
  } finally {
    await store.close()
  }
}

/** Creates and records the run's worktree; returns the folder the run works in. */
async function worktreeFor(store: Store, adwId: string, workingDir: string, opts: StartOptions, chatty: boolean): Promise<string> {
  const {isolateRun} = await import('../worktrees/index.js')
  const plan = await isolateRun(store, {adwId, workingDir, base: opts.base, branch: opts.branch})
  if (chatty) opts.announce?.(`worktree: ${plan.path} (branch ${plan.branch} from ${plan.baseRef} ${plan.baseCommit.slice(0, 7)})`)
  return plan.workingDir
}

/** `adw run --dry-run`: prints the plan; the outcome is "failed" (exit 2 in the command) when preflight would refuse. */
async function dryRun(pipeline: Pipeline, inputs: Record<string, unknown>, config: ResolvedConfig, workingDir: string, cwd: string, out: NonNullable<StartOptions['dryRun']>, flags?: Budget): Promise<RunOutcome> {
  const {planDryRun, formatDryRun} = await import('./dry-run.js')
  let refused: string | undefined
  try {
    checkPrices(pipeline, {limit: runLimit({flags, pipeline: pipeline.budget?.run, config: config.budget}), inputs, model: config.model, prices: config.prices})
    preflight(pipeline, config.env, workingDir)
  } catch (error) {
    refused = (error as Error).message
  }
  const plan = await planDryRun(pipeline, inputs, config, workingDir, refused)
  // The cost and duration forecast from the recorded history (the database is only read).
  const {forecastOf, formatEstimate} = await import('../budget/forecast.js')
  const estimate = await forecastOf(pipeline, config.dbPath, {runModel: config.model, prices: config.prices})
  out.print(out.json ? JSON.stringify({...plan, estimate}, null, 2) : `${formatDryRun(plan, cwd)}\n\n${formatEstimate(estimate)}`)
  if (refused) throw new AdwError('PREFLIGHT', refused, {suggestions: ['fix the above, then run without --dry-run']})
  return {status: 'succeeded'} as RunOutcome
}

/**
 * A fresh 8-hex-digit run id that `taken` says is not in use yet (with 10,000 runs in a database,
 * a random id would clash about once in a hundred). Math.random, not node:crypto: the id is a
 * name, not a secret, and loading node:crypto costs ~5 ms of every `adw run`'s start.
 */
export async function newAdwId(taken: (id: string) => boolean | Promise<boolean>): Promise<string> {
  for (;;) {
    const id = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')
    if (!(await taken(id))) return id
  }
}

/** A path as given (from cwd), else <project root>/pipelines/<name>.yaml, else the package's pipelines/<name>.yaml. */
export function findPipeline(name: string, cwd: string, root = findProjectRoot(cwd).dir): string {
  const direct = resolve(cwd, name)
  if (existsSync(direct) && statSync(direct).isFile()) return direct
  if (!name.includes('/') && !/\.ya?ml$/.test(name)) {
    for (const dir of [join(root, 'pipelines'), join(PACKAGE_ROOT, 'pipelines')]) {
      for (const ext of ['.yaml', '.yml']) {
        const p = join(dir, name + ext)
        if (existsSync(p)) return p
      }
    }
  }
  throw new AdwError('PIPELINE_NOT_FOUND', `pipeline "${name}" not found: no such file, and no ${name}.yaml in the project's pipelines/ folder or among the built-in pipelines`, {
    suggestions: ['adw run plan-build --prompt "..."  (built-ins: plan-build, plan-build-review, plan-build-review-fix, plan-build-parallel-review)'],
  })
}

/** `--input key=value` (repeatable) and `--prompt` → raw input strings. */
export function parseInputFlags(pairs: string[], prompt?: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new AdwError('USAGE', `--input "${pair}" must look like key=value`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (prompt !== undefined) out.prompt = prompt
  return out
}

/** Asks every executor the pipeline uses whether it can run here (API key, binary on PATH). */
export function preflight(pipeline: Pipeline, env: Record<string, string | undefined>, workingDir: string): void {
  const uses = new Map<StepExecutor, Record<string, unknown>[]>()
  for (const step of pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps : [s]))) {
    uses.set(step.executor, [...(uses.get(step.executor) ?? []), step.with])
  }
  const problems: string[] = []
  for (const [executor, options] of uses) {
    const msg = executor.preflight?.({env, workingDir, options})
    if (msg) problems.push(msg)
  }
  if (problems.length) throw new AdwError('PREFLIGHT', problems.join('\n'))
}
