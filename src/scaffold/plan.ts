import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, isAbsolute, join, normalize, resolve, sep} from 'node:path'
import {AdwError} from '../errors.js'
import type {ScaffoldConfig} from './config.js'
import {starterSuiteFiles} from './eval.js'
import {renderPipeline, renderSchema, SEED_PIPELINES} from './pipelines.js'
import {envValue, gitignorePattern, renderTemplate, yamlString} from './render.js'

/** What scaffolding does to one file. `update` appends lines (only `.gitignore`). */
export type ScaffoldAction = 'create' | 'skip' | 'overwrite' | 'update'

export interface PlannedFile {
  /** Relative to the project directory, with `/`. */
  path: string
  action: ScaffoldAction
  /** The whole file as it will be after applying (for `skip`, what would have been written). */
  content: string
  /** Why, for skips and updates: `exists`, `unchanged`, `2 lines added`... */
  reason?: string
}

export interface ScaffoldPlan {
  /** Absolute project directory (may not exist yet). */
  dir: string
  files: PlannedFile[]
}

export interface PlanOptions {
  /** Overwrite existing files (never `.gitignore`, which only gets missing lines). @default false */
  force?: boolean
  /** Also write the starter evaluation suite (evals/suite.yaml and its fixture project). @default false */
  withEval?: boolean
}

/** Every file `adw scaffold` would write into `dir`, and whether it creates, skips or overwrites it. Reads only. */
export function planScaffold(dir: string, config: ScaffoldConfig, opts: PlanOptions = {}): ScaffoldPlan {
  const root = resolve(dir)
  if (existsSync(root) && !statSync(root).isDirectory()) throw new AdwError('SCAFFOLD', `${dir} exists and is not a directory`)
  const view = {config}
  const wanted: Array<[string, string]> = [
    ...SEED_PIPELINES.map(name => [`pipelines/${name}.yaml`, renderPipeline(name)] as [string, string]),
    ['pipelines/pipeline.schema.json', renderSchema()],
    ['adw.config.yaml', renderTemplate('adw.config.yaml.mustache', view, yamlString)],
    ['.env.example', renderTemplate('env.example.mustache', view, envValue)],
    ...(opts.withEval ? starterSuiteFiles() : []),
  ]
  const files = wanted.map(([path, content]) => planFile(root, path, content, opts.force ?? false))
  files.push(planGitignore(root, config.database.path))
  return {dir: root, files}
}

function planFile(root: string, path: string, content: string, force: boolean): PlannedFile {
  const abs = join(root, path)
  if (!existsSync(abs)) return {path, action: 'create', content}
  if (statSync(abs).isDirectory()) throw new AdwError('SCAFFOLD', `${abs} is a directory; scaffold needs to write a file there`, {suggestions: ['move it away and scaffold again']})
  if (readFileSync(abs, 'utf8') === content) return {path, action: 'skip', content, reason: 'unchanged'}
  return force ? {path, action: 'overwrite', content} : {path, action: 'skip', content, reason: 'exists (--force overwrites)'}
}

/** `.gitignore`: the database, -wal and -shm lines that are missing are appended; nothing is removed or repeated. */
function planGitignore(root: string, dbPath: string): PlannedFile {
  const path = '.gitignore'
  const abs = join(root, path)
  const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined
  const rel = relativeDbPath(dbPath)
  if (rel === undefined) {
    return {path, action: 'skip', content: current ?? '', reason: `database.path ${JSON.stringify(dbPath)} is outside the project`}
  }
  const [comment, ...entries] = renderTemplate('gitignore.mustache', {config: {database: {path: rel}}}, gitignorePattern).trimEnd().split('\n')
  const have = new Set((current ?? '').split(/\r?\n/).map(l => l.trim().replace(/^\//, '')))
  const missing = entries.filter(e => !have.has(e.replace(/^\//, '')))
  if (missing.length === 0) return {path, action: 'skip', content: current!, reason: 'has the database entries'}
  const block = [...(have.has(comment) ? [] : [comment]), ...missing].join('\n') + '\n'
  if (current === undefined) return {path, action: 'create', content: block}
  const sepLine = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n'
  return {path, action: 'update', content: current + sepLine + block, reason: `${missing.length} line${missing.length === 1 ? '' : 's'} added`}
}

/** The database path relative to the project, with `/`; undefined when it is absolute or leaves it (or cannot be a gitignore line). */
function relativeDbPath(dbPath: string): string | undefined {
  if (isAbsolute(dbPath) || /[\r\n]/.test(dbPath)) return undefined
  const rel = normalize(dbPath).split(sep).join('/')
  if (rel === '..' || rel.startsWith('../') || rel === '.') return undefined
  return rel
}

/** Writes the plan's create, overwrite and update files (creating `dir` and subfolders); skips stay untouched. */
export function applyScaffold(plan: ScaffoldPlan): void {
  for (const f of plan.files) {
    if (f.action === 'skip') continue
    const abs = join(plan.dir, f.path)
    mkdirSync(dirname(abs), {recursive: true})
    writeFileSync(abs, f.content)
  }
}
