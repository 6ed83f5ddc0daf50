/**
 * `adw eval`: runs a suite's trials (case × pipeline × model × repeat) in parallel, each isolated
 * and recorded as an ordinary run tagged with the eval's id, under one suite-wide budget; then
 * reports. `--resume <eval-id>` runs only the trials that were not decided (a run stopped midway
 * resumes in its folder, reusing its finished steps).
 */
import pLimit from 'p-limit'
import {Ledger} from '../budget/ledger.js'
import {resolveConfig} from '../config.js'
import {newAdwId} from '../engine/start.js'
import {AdwError} from '../errors.js'
import {openExistingStore} from '../history/open.js'
import {createRegistry, type ExecutorRegistry} from '../plugins/registry.js'
import {prepareStateDir} from '../project.js'
import type {EvalRow, EvalRunRow, EvalStatus} from '../store/eval-types.js'
import {openStore} from '../store/open.js'
import {ownerAlive} from '../store/status.js'
import type {Store} from '../store/types.js'
import {loadStoredPipelines, planEval, plannedCases, trials, type EvalFlags, type StoredOptions} from './plan.js'
import {buildReport, type EvalReport} from './report.js'
import {findSuite, loadSuite, loadSuiteSource} from './suite.js'
import {runTrial, type EvalContext, type TrialEnd} from './trial.js'

export interface EvalOptions extends EvalFlags {
  /** The suite file (a path, or one shipped in the package such as examples/suite.yaml). */
  suite: string
  /** Continue this eval: only its undecided trials run; --max-usd may raise its budget. */
  resume?: string
  db?: string
  cwd?: string
  registry?: ExecutorRegistry
  signal?: AbortSignal
  /** Keep every trial's folder (default: removed once decided). */
  keepWorkspaces?: boolean
  /** One line per event worth seeing (the eval's id, each trial decided). */
  progress?: (line: string) => void
}

export interface EvalOutcome {
  evalId: string
  status: EvalStatus
  report: EvalReport
  dbPath: string
}

/** Runs (or resumes) an eval and returns its report. */
export async function runEval(opts: EvalOptions): Promise<EvalOutcome> {
  const cwd = opts.cwd ?? process.cwd()
  const progress = opts.progress ?? (() => {})
  const file = findSuite(opts.suite, cwd)
  const config = await resolveConfig({cwd, db: opts.db})
  const registry = opts.registry ?? createRegistry()
  if (opts.resume !== undefined) {
    const given = (['pipelines', 'models', 'repeat', 'concurrency'] as const).filter(k => opts[k] !== undefined)
    if (given.length) throw new AdwError('USAGE', `--resume continues eval ${opts.resume} with the trials it started with: --${given[0].replace(/s$/, '')} cannot change them`, {suggestions: [`adw eval ${opts.suite} --resume ${opts.resume} [--max-usd N]`, `or start a new eval: adw eval ${opts.suite} --${given[0].replace(/s$/, '')} ...`]})
  }
  let store: Store
  let row: EvalRow
  let options: StoredOptions
  let suite
  if (opts.resume === undefined) {
    suite = await loadSuite(file, opts.suite)
    options = await planEval(suite, opts, config, registry, cwd)
    prepareStateDir(config.dbPath)
    store = await openStore(config.dbPath, {createParent: opts.db === undefined})
    const evalId = `eval-${await newAdwId(async id => (await store.getEval(`eval-${id}`)) !== undefined)}`
    await store.createEval({evalId, suiteName: suite.name, suiteFile: file, suiteSnapshot: suite.source, options: options as unknown as Record<string, unknown>}, trials(suite, options))
    row = (await store.getEval(evalId))!
    progress(`eval id: ${evalId} (${(await store.listEvalRuns(evalId)).length} trials, concurrency ${options.concurrency}${options.maxUsd !== undefined ? `, budget $${options.maxUsd}` : ''})`)
  } else {
    store = await openExistingStore(config.dbPath)
    row = await requireEval(store, opts.resume)
    if (row.status === 'running' && ownerAlive(row)) {
      await store.close()
      throw new AdwError('RUN_LOCKED', `Eval ${row.eval_id} is still being run by adw process ${row.pid} on ${row.host}`, {suggestions: [`stop it first (kill -INT ${row.pid}), then: adw eval ${opts.suite} --resume ${row.eval_id}`]})
    }
    suite = await loadSuiteSource(row.suite_snapshot, row.suite_file, opts.suite)
    options = JSON.parse(row.options) as StoredOptions
    if (opts.maxUsd !== undefined) options.maxUsd = opts.maxUsd
    progress(`resuming eval ${row.eval_id}`)
  }
  try {
    const status = await drive(store, row, suite, options, {config, registry, signal: opts.signal, keepWorkspaces: opts.keepWorkspaces === true, progress})
    const report = await buildReport(store, row.eval_id, {uiUrl: config.uiUrl})
    return {evalId: row.eval_id, status, report, dbPath: config.dbPath}
  } finally {
    await store.close()
  }
}

/** Runs the undecided trials under the eval's concurrency and budget; returns the eval's status. */
async function drive(store: Store, row: EvalRow, suite: Awaited<ReturnType<typeof loadSuite>>, options: StoredOptions, env: {config: EvalContext['config']; registry: ExecutorRegistry; signal?: AbortSignal; keepWorkspaces: boolean; progress: (line: string) => void}): Promise<EvalStatus> {
  const evalId = row.eval_id
  await store.setEvalStatus(evalId, 'running')
  const all = await store.listEvalRuns(evalId)
  // What the eval's runs have spent so far counts against its budget (a resume with a higher one goes on from there).
  const ledger = new Ledger({run: options.maxUsd !== undefined ? {usd: options.maxUsd} : {}, prices: env.config.prices, prior: {usd: await spentBy(store, all)}})
  const signal = env.signal ?? new AbortController().signal
  const ctx: EvalContext = {
    evalId,
    store,
    config: env.config,
    registry: env.registry,
    pipelines: await loadStoredPipelines(options, env.registry),
    models: new Map(options.models.map(m => [m.label, m.model])),
    cases: plannedCases(suite, options),
    ledger,
    signal,
    keepWorkspaces: env.keepWorkspaces,
  }
  const todo = all.filter(r => !DECIDED.has(r.status))
  const limit = pLimit(options.concurrency)
  let stoppedByBudget = false
  let failed: Error | undefined
  await Promise.all(
    todo.map(r =>
      limit(async () => {
        if (signal.aborted || failed) return
        if (ledger.check([], Date.now())) {
          stoppedByBudget = true
          return
        }
        try {
          const end = await runTrial(r, ctx)
          if (end.status === 'budget_exceeded') stoppedByBudget = true
          env.progress(trialLine(end))
        } catch (error) {
          failed ??= error as Error
        }
      }),
    ),
  )
  const status: EvalStatus = failed ? 'failed' : signal.aborted ? 'cancelled' : stoppedByBudget ? 'budget_exceeded' : 'completed'
  await store.setEvalStatus(evalId, status, failed ? `internal error (a bug in adw): ${failed.message}` : stoppedByBudget ? `budget reached: spent $${ledger.spent().usd.toFixed(4)} of $${options.maxUsd}` : null)
  if (failed) throw failed
  return status
}

const DECIDED = new Set(['passed', 'failed', 'error'])

/** The cost of every run (and judge run) the trials made. */
async function spentBy(store: Store, rows: EvalRunRow[]): Promise<number> {
  let usd = 0
  for (const r of rows) {
    for (const id of [r.adw_id, r.judge_adw_id]) if (id) usd += (await store.getRun(id))?.cost_usd ?? 0
  }
  return usd
}

const MARK: Record<string, string> = {passed: '✔', failed: '✖', error: '✖', budget_exceeded: '■', cancelled: '■'}

function trialLine(end: TrialEnd): string {
  const cost = end.outcome?.totals?.costUsd
  const parts = [`${MARK[end.status] ?? '·'} ${end.row.run_key}`, end.status.replace('_', ' ')]
  if (end.outcome?.durationMs) parts.push(`${(end.outcome.durationMs / 1000).toFixed(1)}s`)
  if (cost !== undefined) parts.push(`$${cost.toFixed(4)}`)
  parts.push(`adw logs --adw-id ${end.adwId}`)
  return parts.join('  ') + (end.error && end.status !== 'passed' ? `\n    ${end.error.split('\n')[0]}` : '')
}

/** The eval, or RUN_NOT_FOUND naming recent ones. */
export async function requireEval(store: Store, evalId: string): Promise<EvalRow> {
  const row = await store.getEval(evalId)
  if (row) return row
  const recent = (await store.listEvals({limit: 5})).map(e => e.eval_id)
  throw new AdwError('RUN_NOT_FOUND', `No eval with id "${evalId}"${recent.length ? `. Recent evals: ${recent.join(', ')}` : ' (the database has none yet)'}`, {suggestions: ['adw eval list']})
}
