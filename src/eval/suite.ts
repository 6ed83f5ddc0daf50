/**
 * Loads an evaluation suite: YAML → JSON Schema (suite-schema.ts) → semantic checks (one starting
 * state and one task per case, checks that make sense, folders and git refs that exist). Every
 * problem is reported at once at file:line:col (AdwError SUITE_INVALID, exit 2); nothing runs.
 */
import {existsSync, statSync} from 'node:fs'
import {dirname, isAbsolute, normalize, resolve} from 'node:path'
import {LineCounter, parseDocument} from 'yaml'
import {AdwError, formatDiagnostics} from '../errors.js'
import {readInputFile} from '../limits.js'
import {newAjv, AJV_OPTIONS} from '../pipeline/schema.js'
import {SourceFile, type PathSegment} from '../pipeline/source.js'
import {parseTimeout} from '../pipeline/template.js'
import {PACKAGE_ROOT} from '../engine/start.js'
import {reportSuiteErrors} from './suite-errors.js'
import {SUITE_SCHEMA} from './suite-schema.js'

/** Where a case starts: a copy of a folder, or a worktree of a git repository at a ref. */
export type CaseStart = {kind: 'fixture'; dir: string} | {kind: 'repo'; repo: string; ref: string}

export type Check =
  | {kind: 'run'; name: string; script: string; network: boolean; timeoutMs: number}
  | {kind: 'file'; name: string; path: string; exists: boolean; contains?: string}
  | {kind: 'judge'; name: string; rubric: string; model?: string}

export interface SuiteCase {
  id: string
  description?: string
  start: CaseStart
  prompt?: string
  /** A GitHub issue reference, as given (its title and body become the prompt). */
  issue?: string
  inputs: Record<string, string>
  checks: Check[]
}

export interface Suite {
  name: string
  description?: string
  /** Absolute path of the suite file. */
  file: string
  /** The file's text (stored with the eval for --resume). */
  source: string
  pipelines?: string[]
  models?: string[]
  repeat?: number
  concurrency?: number
  maxUsd?: number
  cases: SuiteCase[]
}

/** A check command's time limit when it gives none. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5 * 60_000

/** A path as given (from cwd), else the same path inside the package (the starter suite after install). */
export function findSuite(path: string, cwd: string): string {
  const direct = resolve(cwd, path)
  if (existsSync(direct)) return direct
  const shipped = resolve(PACKAGE_ROOT, path)
  if (!isAbsolute(path) && existsSync(shipped)) return shipped
  throw new AdwError('USAGE', `Suite file ${path} not found`, {suggestions: ['adw eval examples/suite.yaml  (the starter suite shipped with adw)', 'adw scaffold <dir> copies the starter suite into a project']})
}

/** Reads and checks a suite file; `displayName` names it in messages. */
export async function loadSuite(file: string, displayName = file): Promise<Suite> {
  const text = readInputFile(file, {what: `Suite file ${displayName}`, code: 'SUITE_INVALID', unreadableCode: 'USAGE', ifDirectory: ['Give the path of a suite .yaml file, e.g. adw eval examples/suite.yaml'], ifTooLarge: ['Check that this is the suite you meant']})
  return loadSuiteSource(text, resolve(file), displayName)
}

/** Same as loadSuite, from the file's text (a resumed eval uses the stored one). */
export async function loadSuiteSource(text: string, file: string, displayName = file): Promise<Suite> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true, prettyErrors: false})
  const src = new SourceFile(displayName, text, lineCounter, doc)
  for (const e of doc.errors) src.report(e.pos[0], `YAML syntax error: ${e.message.split('\n')[0]}`)
  if (doc.errors.length) fail(src)
  const data = doc.toJS({maxAliasCount: 1000}) as any
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    src.reportAt(doc.contents, 'A suite file must be a YAML mapping with name: and cases: (see README "Evaluation suites")')
    fail(src)
  }
  const validate = newAjv(AJV_OPTIONS).compile<any>(SUITE_SCHEMA)
  if (!validate(data)) {
    reportSuiteErrors(src, validate.errors ?? [], data)
    fail(src)
  }
  const dir = dirname(file)
  const cases: SuiteCase[] = []
  const ids = new Set<string>()
  for (const [i, c] of (data.cases as any[]).entries()) {
    const at = (key?: string) => (key ? (src.keyAt(['cases', i], key) ?? src.nodeAt(['cases', i, key])) : src.nodeAt(['cases', i]))
    if (ids.has(c.id)) src.reportAt(src.nodeAt(['cases', i, 'id']), `Duplicate case id "${c.id}": each case needs its own id`)
    ids.add(c.id)
    const start = await caseStart(src, c, i, dir, at)
    if ((c.prompt === undefined) === (c.issue === undefined)) src.reportAt(at(), `case "${c.id}" needs exactly one task: prompt: (the text) or issue: (a GitHub issue number)`)
    const checks = (c.checks as any[]).map((k, j) => check(src, k, ['cases', i, 'checks', j], c.id))
    cases.push({
      id: c.id,
      description: c.description,
      start: start ?? {kind: 'fixture', dir},
      prompt: c.prompt,
      issue: c.issue === undefined ? undefined : String(c.issue),
      inputs: stringInputs({...data.inputs, ...c.inputs}),
      checks,
    })
  }
  if (src.diagnostics.length) fail(src)
  return {
    name: data.name,
    description: data.description,
    file,
    source: text,
    pipelines: data.pipelines,
    models: data.models,
    repeat: data.repeat,
    concurrency: data.concurrency,
    maxUsd: data.budget?.usd,
    cases,
  }
}

async function caseStart(src: SourceFile, c: any, i: number, dir: string, at: (key?: string) => ReturnType<SourceFile['nodeAt']>): Promise<CaseStart | undefined> {
  if ((c.fixture === undefined) === (c.repo === undefined)) {
    src.reportAt(at(), `case "${c.id}" needs exactly one starting state: fixture: (a folder copied for each run) or repo: (a git repository, with ref:)`)
    return undefined
  }
  if (c.ref !== undefined && c.repo === undefined) src.reportAt(at('ref'), `ref: of case "${c.id}" needs repo: (the repository the ref is in)`)
  const path = resolve(dir, c.fixture ?? c.repo)
  const key = c.fixture !== undefined ? 'fixture' : 'repo'
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    src.reportAt(src.nodeAt(['cases', i, key]), `${key}: ${c[key]} of case "${c.id}" is not a folder (looked for ${path}; paths are relative to the suite file)`)
    return undefined
  }
  if (c.fixture !== undefined) return {kind: 'fixture', dir: path}
  const ref = c.ref ?? 'HEAD'
  const {tryGit} = await import('../worktrees/git.js')
  const found = await tryGit(path, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
  if (found.exitCode !== 0) {
    src.reportAt(src.nodeAt(['cases', i, c.ref !== undefined ? 'ref' : 'repo']), `ref ${ref} of case "${c.id}" is not a commit, branch or tag of the git repository ${path}`)
    return undefined
  }
  return {kind: 'repo', repo: path, ref}
}

function check(src: SourceFile, k: any, path: PathSegment[], caseId: string): Check {
  const kinds = ['run', 'file', 'judge'].filter(key => k[key] !== undefined)
  const where = `check ${Number(path.at(-1)) + 1} of case "${caseId}"`
  if (kinds.length !== 1) {
    src.reportAt(src.nodeAt(path), `${where} must have exactly one of run:, file: or judge:${kinds.length ? ` (it has ${kinds.join(' and ')})` : ''}`)
    return {kind: 'file', name: '?', path: '.', exists: true}
  }
  const only = (allowed: string[]) => {
    for (const key of ['network', 'timeout', 'exists', 'contains']) {
      if (k[key] !== undefined && !allowed.includes(key)) src.reportAt(src.keyAt(path, key), `${key}: in ${where} goes with ${key === 'network' || key === 'timeout' ? 'run:' : 'file:'}, not ${kinds[0]}:`)
    }
  }
  if (kinds[0] === 'run') {
    only(['network', 'timeout'])
    let timeoutMs = DEFAULT_CHECK_TIMEOUT_MS
    if (k.timeout !== undefined) timeoutMs = parseTimeout(k.timeout)
    return {kind: 'run', name: k.name ?? k.run.trim().split('\n')[0], script: k.run, network: k.network === true, timeoutMs}
  }
  if (kinds[0] === 'file') {
    only(['exists', 'contains'])
    const rel = normalize(k.file)
    if (isAbsolute(k.file) || rel === '..' || rel.startsWith('../')) src.reportAt(src.nodeAt([...path, 'file']), `file: ${k.file} in ${where} must be a path inside the run's folder (relative, without ..)`)
    if (k.exists === false && k.contains !== undefined) src.reportAt(src.keyAt(path, 'contains'), `${where} says exists: false, so contains: cannot hold`)
    const name = k.name ?? (k.exists === false ? `${k.file} absent` : k.contains !== undefined ? `${k.file} contains ${JSON.stringify(k.contains)}` : `${k.file} exists`)
    return {kind: 'file', name, path: rel, exists: k.exists !== false, ...(k.contains !== undefined ? {contains: k.contains} : {})}
  }
  only([])
  return {kind: 'judge', name: k.name ?? 'judge', rubric: k.judge.rubric, ...(k.judge.model ? {model: k.judge.model} : {})}
}

const stringInputs = (o: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]))

function fail(src: SourceFile): never {
  const sorted = [...src.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col)
  throw new AdwError('SUITE_INVALID', formatDiagnostics(sorted), {suggestions: ['README "Evaluation suites" shows a suite file with every key']})
}
