import {existsSync, statSync} from 'node:fs'
import {resolve} from 'node:path'
import {AdwError} from '../errors.js'
import {applyScaffold, planScaffold, type ScaffoldPlan} from './plan.js'
import {loadScaffoldConfig, type ScaffoldConfig} from './config.js'

export {applyScaffold, planScaffold, type PlannedFile, type ScaffoldAction, type ScaffoldPlan} from './plan.js'
export {defaultScaffoldConfig, loadScaffoldConfig, type ScaffoldConfig} from './config.js'

export interface ScaffoldOptions {
  /** Project directory, created if missing. */
  dir: string
  /** A config file with project.name, database.path, agent_sdk.model, logging.level. @default the defaults for `dir` */
  config?: string
  /** @default false */
  force?: boolean
  /** Plan only; write nothing. @default false */
  dryRun?: boolean
  /** Also write the starter evaluation suite (evals/). @default false */
  withEval?: boolean
  /** Where relative `dir` and `config` resolve. @default process.cwd() */
  cwd?: string
}

/** `adw scaffold`: checks the config (exit 2 before anything is written), plans, then applies unless dry-run. */
export async function scaffold(opts: ScaffoldOptions): Promise<ScaffoldPlan & {config: ScaffoldConfig}> {
  const cwd = opts.cwd ?? process.cwd()
  const dir = resolve(cwd, opts.dir)
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new AdwError('SCAFFOLD', `${opts.dir} exists and is not a directory`)
  const config = await loadScaffoldConfig(dir, opts.config, cwd)
  const plan = planScaffold(dir, config, {force: opts.force, withEval: opts.withEval})
  if (!opts.dryRun) applyScaffold(plan)
  return {...plan, config}
}
