import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

/** The project's own config file, looked up from the current directory upwards. */
export const CONFIG_FILE = 'adw.config.yaml'

/** Where adw keeps what it writes in a project (the default database), with its own `.gitignore`. */
export const STATE_DIR = '.adw'

/** The project that a command started in belongs to. */
export interface ProjectRoot {
  /** The folder holding adw.config.yaml, else the git root, else the current directory. */
  dir: string
  /** Its adw.config.yaml, when there is one. */
  configFile?: string
}

/**
 * Finds the project root from `cwd` upwards, as git and npm do: the nearest folder with
 * adw.config.yaml, looking no higher than the git root (a config in the home folder does not claim
 * every repository below it); else the git root; else `cwd` itself.
 */
export function findProjectRoot(cwd: string): ProjectRoot {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const configFile = join(dir, CONFIG_FILE)
    if (existsSync(configFile)) return {dir, configFile}
    if (existsSync(join(dir, '.git'))) return {dir}
    if (dirname(dir) === dir) return {dir: cwd}
  }
}

/**
 * The database when nothing names one: `orchestrator.db` at the root if a project already has it
 * (adw before 0.2 put it there), else `.adw/orchestrator.db`.
 */
export function defaultDbPath(root: string): string {
  const legacy = join(root, 'orchestrator.db')
  return existsSync(legacy) ? legacy : join(root, STATE_DIR, 'orchestrator.db')
}

/**
 * Before the first write to a database in `.adw/`: that folder gets a `.gitignore` of `*`, so the
 * database never shows up in `git status` and the project's own .gitignore is left alone.
 */
export function prepareStateDir(dbPath: string): void {
  const dir = dirname(dbPath)
  if (basename(dir) === STATE_DIR) ensureStateDir(dir)
}

/** Creates a `.adw/` folder (the path given) with its `.gitignore` of `*` if it has none. */
export function ensureStateDir(dir: string): void {
  mkdirSync(dir, {recursive: true})
  try {
    writeFileSync(join(dir, '.gitignore'), '# Written by adw: its run database and run worktrees, never committed.\n*\n', {flag: 'wx'})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}
