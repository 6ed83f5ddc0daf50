import {existsSync, statSync} from 'node:fs'
import {basename, resolve} from 'node:path'
import {readConfigFile} from '../config.js'
import {AdwError} from '../errors.js'
import {DEFAULT_MODEL} from '../plugins/agent.js'

/** The values `adw scaffold` renders: the keys of `adw.config.yaml`, all present. */
export interface ScaffoldConfig {
  project: {name: string}
  database: {path: string}
  agent_sdk: {model: string}
  logging: {level: string}
}

/** Defaults for a project in `dir`: its folder name, orchestrator.db, the agent's default model, INFO. */
export function defaultScaffoldConfig(dir: string): ScaffoldConfig {
  return {
    project: {name: basename(resolve(dir)) || 'adw-project'},
    database: {path: 'orchestrator.db'},
    agent_sdk: {model: DEFAULT_MODEL},
    logging: {level: 'INFO'},
  }
}

/**
 * The scaffold config: `--config` checked by the same rules as `adw.config.yaml` (every key
 * required, each problem at file:line:col, exit 2), or the defaults for `dir` without one.
 */
export async function loadScaffoldConfig(dir: string, configPath?: string, cwd = process.cwd()): Promise<ScaffoldConfig> {
  if (configPath === undefined) return defaultScaffoldConfig(dir)
  const file = resolve(cwd, configPath)
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new AdwError('CONFIG_INVALID', `--config ${configPath}: no such file`, {
      suggestions: ['write one with project.name, database.path, agent_sdk.model and logging.level, or leave out --config for the defaults'],
    })
  }
  const c = await readConfigFile(file, configPath, {requireAll: true})
  return {
    project: {name: c.project!.name!},
    database: {path: c.database!.path!},
    agent_sdk: {model: c.agent_sdk!.model!},
    logging: {level: c.logging!.level!},
  }
}
