import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {parseEnv} from 'node:util'
import type {isMap as isMapFn, isScalar as isScalarFn} from 'yaml'
import {AdwError, formatDiagnostics, type Diagnostic} from './errors.js'
import {MAX_CONFIG_FILE_BYTES, readInputFile} from './limits.js'
import type {LogLevel} from './plugins/types.js'
import type {NotifyTargetConfig} from './notify/schema.js'
import {CONFIG_FILE, defaultDbPath, findProjectRoot} from './project.js'
import {mergeEnv, type IgnoredVariable} from './secrets/sources.js'
import {LOG_LEVELS} from './store/values.js'
import {BUDGET_SHAPE, checkPricesSection} from './budget/config.js'
import type {ConfigBudget} from './budget/limits.js'
import {withConfigPrices, type ConfigPrice, type PriceTable} from './budget/prices.js'
import {DEFAULT_RECORD, type RecordSettings} from './engine/recorder.js'
import {isStoreUrl} from './store/url.js'

export {CONFIG_FILE} from './project.js'

/** What `adw.config.yaml` may hold (the keys `adw scaffold` takes). */
export interface ConfigFile {
  project?: {name?: string}
  /** `url` (postgres://…) selects the Postgres store, over `path` (an SQLite file). */
  database?: {path?: string; url?: string}
  agent_sdk?: {model?: string}
  logging?: {level?: LogLevel}
  /** `off` runs agent commands unsandboxed (the user accepts the risk; README "Security"). @default on */
  sandbox?: 'on' | 'off'
  /** Variables for the run, trusted like the process environment (e.g. ADW_CLAUDE_BIN); the process environment wins. */
  env?: Record<string, string>
  /** Default limits of every run (`adw run --max-usd` & co. override them). */
  budget?: ConfigBudget
  /** Prices (USD per million tokens) over the built-in table, for models it lacks or to override it. */
  prices?: Record<string, ConfigPrice>
  /** `otlp`: an OTLP/HTTP endpoint for traces (OTEL_EXPORTER_OTLP_ENDPOINT wins). */
  telemetry?: {otlp?: string}
  /** `worktree`: every run works in its own git worktree and branch (as `adw run --worktree`). @default none */
  isolation?: 'none' | 'worktree'
  /** `comments: true`: a run started with `--issue` comments its progress on the issue. */
  github?: {comments?: boolean}
  /** Where others reach `adw ui` (notifications link to the run there). */
  ui?: {url?: string}
  /** Webhooks and commands told about runs (src/notify). */
  notify?: NotifyTargetConfig[]
  /** Per executor: at most `concurrency` of its steps run at once, across every parallel branch of a run. */
  executors?: Record<string, {concurrency?: number}>
  /** Recording of model exchanges for `adw replay`. @default {enabled: true, max_bytes: 26214400} */
  record?: {enabled?: boolean; max_bytes?: number}
}

/** Configuration after flags > environment (.env included) > adw.config.yaml > defaults. */
export interface ResolvedConfig {
  /** Where the store is: the absolute path of the SQLite file, or a postgres:// URL (src/store/location.ts tells them apart). */
  dbPath: string
  model?: string
  /** Rows below this level are not recorded. @default INFO */
  logLevel: LogLevel
  /** The command sandbox: ADW_SANDBOX (process environment only) > adw.config.yaml `sandbox` > on. */
  sandbox: 'on' | 'off'
  projectName?: string
  /** process.env over the working directory's `.env` over adw.config.yaml's env (secrets/sources.ts). Holds secrets: never store or print it. */
  env: Record<string, string | undefined>
  /** `.env` variables that were not used (they may not set binaries or move keys), for a warning. */
  ignored: IgnoredVariable[]
  /** The config file that was read, if any. */
  configFile?: string
  /** The project root (see findProjectRoot): bare pipeline names and the default database resolve here. */
  projectRoot: string
  /** adw.config.yaml's `budget:` (defaults for every run), if any. */
  budget?: ConfigBudget
  /** The price table: the built-in one with adw.config.yaml's `prices:` over it. */
  prices: PriceTable
  /** adw.config.yaml `telemetry.otlp` (src/telemetry decides with the environment). */
  telemetryOtlp?: string
  /** adw.config.yaml `isolation:` (a pipeline's own `isolation:` and `--worktree` win). */
  isolation?: 'none' | 'worktree'
  /** adw.config.yaml `github.comments`: progress comments on the issue of `--issue` runs. @default false */
  githubComments?: boolean
  /** adw.config.yaml `notify:` as written (checked; `${VARIABLE}`s are resolved when a run starts). */
  notify?: NotifyTargetConfig[]
  /** adw.config.yaml `ui.url`. */
  uiUrl?: string
  /** The process environment over adw.config.yaml `env:`, without the working directory's `.env`: what `${VARIABLE}` in notify targets may read. */
  trustedEnv: Record<string, string | undefined>
  /** `executors.<name>.concurrency` from adw.config.yaml: most steps of that executor running at once in a run. */
  executorLimits: Record<string, number>
  /** adw.config.yaml `record:` over its defaults (on, 25 MiB per run): what `adw replay` can replay. */
  record: RecordSettings
}

export interface ConfigOptions {
  /** Where adw was started: relative --db and DATABASE_PATH resolve here, and the project root is found from here upwards. */
  cwd?: string
  /** The run's working directory, whose `.env` is loaded. @default cwd */
  workingDir?: string
  db?: string
  model?: string
  /** @default process.env */
  env?: NodeJS.ProcessEnv
}

/** Resolves flags > environment > `.env` > adw.config.yaml > defaults. Bad values: AdwError, exit 2. */
export async function resolveConfig(opts: ConfigOptions = {}): Promise<ResolvedConfig> {
  const cwd = opts.cwd ?? process.cwd()
  const workingDir = opts.workingDir ?? cwd
  const root = findProjectRoot(cwd)
  const file = root.configFile ? await readConfigFile(root.configFile) : {}
  const {env, ignored} = mergeEnv({process: nonEmpty(opts.env ?? process.env), config: file.env ?? {}, dotenv: readDotEnv(workingDir), dotenvFile: join(workingDir, '.env')})
  const level = env.LOG_LEVEL ?? file.logging?.level ?? 'INFO'
  const logLevel = level.toUpperCase() as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) {
    const where = env.LOG_LEVEL ? 'LOG_LEVEL' : `${CONFIG_FILE}: logging.level`
    throw new AdwError('CONFIG_INVALID', `${where} must be one of ${LOG_LEVELS.join(', ')}; got "${level}"`)
  }
  // Never from the working dir's .env: a cloned repository must not switch its own sandbox off.
  const sandboxVar = (opts.env ?? process.env).ADW_SANDBOX?.trim()
  const sandbox = sandboxVar ? sandboxValue(sandboxVar) : file.sandbox ?? 'on'
  if (!sandbox) throw new AdwError('CONFIG_INVALID', `ADW_SANDBOX must be "on" or "off"; got "${sandboxVar}"`)
  const dbPath = databaseLocation(opts, env, file, cwd, root.dir)
  return {
    dbPath,
    model: opts.model ?? env.AGENT_MODEL ?? file.agent_sdk?.model,
    logLevel,
    sandbox,
    projectName: file.project?.name,
    env,
    ignored,
    configFile: root.configFile,
    projectRoot: root.dir,
    ...(file.budget ? {budget: file.budget} : {}),
    prices: withConfigPrices(file.prices),
    ...(file.telemetry?.otlp ? {telemetryOtlp: file.telemetry.otlp} : {}),
    ...(file.isolation ? {isolation: file.isolation} : {}),
    ...(file.github?.comments === true ? {githubComments: true} : {}),
    ...(file.notify?.length ? {notify: file.notify} : {}),
    ...(file.ui?.url ? {uiUrl: file.ui.url} : {}),
    trustedEnv: {...(file.env ?? {}), ...nonEmpty(opts.env ?? process.env)},
    record: {enabled: file.record?.enabled ?? DEFAULT_RECORD.enabled, maxBytes: file.record?.max_bytes ?? DEFAULT_RECORD.maxBytes},
    executorLimits: Object.fromEntries(Object.entries(file.executors ?? {}).flatMap(([name, o]) => (o?.concurrency ? [[name, o.concurrency]] : []))),
  }
}

/**
 * --db > DATABASE_URL > DATABASE_PATH > adw.config.yaml database.url > database.path > the default
 * file. A URL is kept as given; a path in adw.config.yaml is relative to that file, one from a flag
 * or the environment to the cwd. DATABASE_URL counts only from the process environment (or the
 * config's env:) and only as a postgres:// URL: an application's own DATABASE_URL in a project's
 * .env (or a mysql:// one) must never become adw's store.
 */
function databaseLocation(opts: ConfigOptions, env: Record<string, string | undefined>, file: ConfigFile, cwd: string, rootDir: string): string {
  const trustedUrl = nonEmpty(opts.env ?? process.env).DATABASE_URL ?? file.env?.DATABASE_URL
  const url = trustedUrl !== undefined && isStoreUrl(trustedUrl) ? trustedUrl.trim() : undefined
  const given = opts.db ?? url ?? env.DATABASE_PATH
  if (given !== undefined) return isStoreUrl(given) ? given.trim() : resolve(cwd, given)
  if (file.database?.url) return file.database.url.trim()
  return file.database?.path ? resolve(rootDir, file.database.path) : defaultDbPath(rootDir)
}

/** Just the database location: a file path or a postgres:// URL (read-only commands). */
export async function resolveDbPath(opts: ConfigOptions = {}): Promise<string> {
  return (await resolveConfig(opts)).dbPath
}

/** The `.env` of a directory as a plain object ({} when absent). */
export function readDotEnv(dir: string): Record<string, string> {
  const p = join(dir, '.env')
  if (!existsSync(p)) return {}
  const text = readInputFile(p, {
    what: `The .env file ${p}`,
    code: 'CONFIG_INVALID',
    ifDirectory: ['adw loads KEY=value lines from a .env file in the working directory: rename or remove this directory, or run in another --working-dir'],
    ifTooLarge: ['a .env holds KEY=value lines: check that this is the file you meant, or remove it'],
  })
  return nonEmpty(parseEnv(text)) as Record<string, string>
}

function nonEmpty(env: NodeJS.ProcessEnv | Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v
  return out
}

/** `sandbox:` as written (YAML may read off/on as text or false/true as booleans) → on/off, or undefined if neither. */
function sandboxValue(v: unknown): 'on' | 'off' | undefined {
  const s = typeof v === 'boolean' ? (v ? 'on' : 'off') : typeof v === 'string' ? v.trim().toLowerCase() : ''
  return s === 'on' || s === 'off' ? s : undefined
}

const SHAPE: Record<string, Record<string, (v: unknown) => string | undefined>> = {
  project: {name: v => (typeof v === 'string' && v.trim() ? undefined : 'must be a non-empty string')},
  database: {
    path: v => (typeof v === 'string' && v.trim() ? undefined : 'must be a non-empty string (a file path)'),
    url: v => (typeof v === 'string' && isStoreUrl(v) ? undefined : 'must be a postgres:// URL, e.g. postgres://adw@db.internal:5432/adw (leave the password out: PGPASSWORD or ~/.pgpass)'),
  },
  agent_sdk: {model: v => (typeof v === 'string' && v.trim() ? undefined : 'must be a non-empty string (a model id)')},
  logging: {level: v => (typeof v === 'string' && LOG_LEVELS.includes(v.toUpperCase() as LogLevel) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`)},
  budget: BUDGET_SHAPE,
  ui: {url: v => (typeof v === 'string' && /^https?:\/\/[^\s/]/.test(v.trim()) ? undefined : 'must be an http:// or https:// URL, e.g. http://build-box:4400')},
  telemetry: {otlp: v => (typeof v === 'string' && /^https?:\/\/[^\s/]/.test(v.trim()) ? undefined : 'must be an http:// or https:// URL of an OTLP/HTTP endpoint, e.g. http://localhost:4318')},
  github: {comments: v => (typeof v === 'boolean' ? undefined : 'must be true or false (progress comments on the issue of an --issue run)')},
  record: {
    enabled: v => (typeof v === 'boolean' ? undefined : 'must be true or false (record model exchanges for adw replay)'),
    max_bytes: v => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'must be a whole number of bytes, 0 or more (the most one run records), e.g. 26214400'),
  },
}

/** Sections `adw scaffold --config` does not require. */
const OPTIONAL_SECTIONS = new Set(['telemetry', 'budget', 'github', 'ui', 'record'])
/** Keys of required sections that `adw scaffold --config` does not require. */
const OPTIONAL_KEYS = new Set(['database.url'])

/**
 * Reads and checks a config file; every bad key is reported at file:line:col, then exit 2.
 * `requireAll` (adw scaffold --config) also reports every missing key.
 */
export async function readConfigFile(path: string, displayPath = path, opts: {requireAll?: boolean} = {}): Promise<ConfigFile> {
  const text = readInputFile(path, {
    what: `The config file ${displayPath}`,
    code: 'CONFIG_INVALID',
    ifDirectory: [`adw reads project settings from a YAML file named ${CONFIG_FILE}: rename or remove this directory (adw scaffold writes a valid file)`],
    ifTooLarge: ['an adw config holds four keys (project.name, database.path, agent_sdk.model, logging.level): check that this is the file you meant'],
    maxBytes: MAX_CONFIG_FILE_BYTES,
  })
  // yaml loads only when a config file exists: `adw logs` and `adw runs` start faster without one.
  // A dynamic import, so that the bundled CLI shares its one copy of yaml with the pipeline loader.
  // yaml is CommonJS: its module.exports is the import's default, under Node and in the bundle alike.
  const {isMap, isScalar, LineCounter, parseDocument} = (await import('yaml')).default
  const lc = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lc, uniqueKeys: true})
  const lines = text.split('\n')
  const problems: Diagnostic[] = []
  let notify: {value: unknown; offset: number} | undefined
  const at = (offset: number, message: string) => {
    const {line, col} = lc.linePos(offset)
    problems.push({file: displayPath, line, col, message, sourceLine: lines[line - 1]})
  }
  for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0])
  if (problems.length === 0 && doc.contents !== null) {
    if (!isMap(doc.contents)) at(doc.contents.range?.[0] ?? 0, 'the config must be a mapping of sections (project, database, agent_sdk, logging, sandbox)')
    else {
      for (const section of doc.contents.items) {
        const key = isScalar(section.key) ? String(section.key.value) : '?'
        const keyOffset = (section.key as any)?.range?.[0] ?? 0
        if (key === 'isolation') {
          const v = isScalar(section.value) ? section.value.value : undefined
          if (v !== 'none' && v !== 'worktree') at((section.value as any)?.range?.[0] ?? keyOffset, 'isolation must be "worktree" (each run in its own git worktree and branch) or "none"')
          continue
        }
        if (key === 'sandbox') {
          if (!sandboxValue(isScalar(section.value) ? section.value.value : undefined)) at((section.value as any)?.range?.[0] ?? keyOffset, 'sandbox must be "on" or "off" (off runs agent commands unsandboxed)')
          continue
        }
        const fields = SHAPE[key]
        if (key === 'env') {
          checkEnvSection(section.value, keyOffset, at, {isMap, isScalar})
          continue
        }
        if (key === 'prices') {
          checkPricesSection(section.value, keyOffset, at, {isMap, isScalar})
          continue
        }
        if (key === 'notify') {
          notify = {value: (section.value as {toJSON?: () => unknown} | null)?.toJSON?.() ?? null, offset: keyOffset}
          continue
        }
        if (key === 'executors') {
          checkExecutorsSection(section.value, keyOffset, at, {isMap, isScalar})
          continue
        }
        if (!fields) {
          at(keyOffset, `unknown section "${key}"; allowed: ${[...Object.keys(SHAPE), 'sandbox', 'isolation', 'env', 'prices', 'notify', 'executors'].join(', ')}`)
          continue
        }
        if (!isMap(section.value)) {
          at((section.value as any)?.range?.[0] ?? keyOffset, `${key} must be a mapping with ${Object.keys(fields).join(', ')}`)
          continue
        }
        for (const item of section.value.items) {
          const name = isScalar(item.key) ? String(item.key.value) : '?'
          const check = fields[name]
          const offset = (item.key as any)?.range?.[0] ?? keyOffset
          if (!check) at(offset, `unknown key "${key}.${name}"; allowed: ${Object.keys(fields).map(f => `${key}.${f}`).join(', ')}`)
          else {
            const problem = check(isScalar(item.value) ? item.value.value : item.value?.toJSON())
            if (problem) at((item.value as any)?.range?.[0] ?? offset, `${key}.${name} ${problem}`)
          }
        }
      }
    }
  }
  if (notify) {
    // Loaded only for a config with notify: (it brings ajv).
    const {checkNotify} = await import('./notify/schema.js')
    for (const p of checkNotify(notify.value)) at(nodeOffset(doc, ['notify', ...p.path]) ?? notify.offset, p.message)
  }
  if (opts.requireAll && doc.errors.length === 0 && (doc.contents === null || isMap(doc.contents))) {
    const sections = isMap(doc.contents) ? doc.contents.items : []
    for (const [key, fields] of Object.entries(SHAPE)) {
      if (OPTIONAL_SECTIONS.has(key)) continue
      const section = sections.find(p => isScalar(p.key) && p.key.value === key)
      for (const name of Object.keys(fields)) {
        if (OPTIONAL_KEYS.has(`${key}.${name}`)) continue
        if (!section) problems.push({file: displayPath, line: 1, col: 1, message: `missing key "${key}.${name}" (no ${key} section)`})
        else if (isMap(section.value) && !section.value.items.some(p => isScalar(p.key) && p.key.value === name)) at((section.key as any).range[0], `missing key "${key}.${name}"`)
      }
    }
  }
  if (problems.length) throw new AdwError('CONFIG_INVALID', formatDiagnostics(problems))
  const config = (doc.toJS() ?? {}) as ConfigFile
  if (config.logging?.level) config.logging.level = config.logging.level.toUpperCase() as LogLevel
  if (config.sandbox !== undefined) config.sandbox = sandboxValue(config.sandbox)
  if (config.env) config.env = Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, String(v)]))
  return config
}

/** The offset of the node at `path`, or of its deepest existing ancestor. */
function nodeOffset(doc: {getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown}, path: Array<string | number>): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as {range?: number[]} | undefined
    if (node && typeof node === 'object' && node.range) return node.range[0]
  }
  return undefined
}

/** `env:` is a mapping of variable names to strings, numbers or booleans. */
function checkEnvSection(value: unknown, keyOffset: number, at: (offset: number, message: string) => void, yaml: {isMap: typeof isMapFn; isScalar: typeof isScalarFn}): void {
  const offset = (node: unknown) => (node as {range?: number[]} | null)?.range?.[0] ?? keyOffset
  if (value === null || (yaml.isScalar(value) && value.value === null)) return
  if (!yaml.isMap(value)) {
    at(offset(value), 'env must be a mapping of variable names to values, e.g. env: {ADW_CLAUDE_BIN: /opt/claude/bin/claude}')
    return
  }
  for (const item of value.items) {
    const name = yaml.isScalar(item.key) ? String(item.key.value) : '?'
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) at(offset(item.key), `env: "${name}" is not a variable name (letters, digits and _, not starting with a digit)`)
    else if (!yaml.isScalar(item.value) || !['string', 'number', 'boolean'].includes(typeof item.value.value)) at(offset(item.value ?? item.key), `env.${name} must be a string, number or boolean`)
  }
}

/** `executors:` maps executor names (as `uses:` names them) to `{concurrency: N}`, N a whole number ≥ 1. */
function checkExecutorsSection(value: unknown, keyOffset: number, at: (offset: number, message: string) => void, yaml: {isMap: typeof isMapFn; isScalar: typeof isScalarFn}): void {
  const offset = (node: unknown) => (node as {range?: number[]} | null)?.range?.[0] ?? keyOffset
  const example = 'e.g. executors: {agent: {concurrency: 2}}'
  if (value === null || (yaml.isScalar(value) && value.value === null)) return
  if (!yaml.isMap(value)) return at(offset(value), `executors must be a mapping of executor names to their limits, ${example}`)
  for (const item of value.items) {
    const name = yaml.isScalar(item.key) ? String(item.key.value) : '?'
    if (!yaml.isMap(item.value)) {
      at(offset(item.value ?? item.key), `executors.${name} must be a mapping with concurrency, ${example}`)
      continue
    }
    for (const field of item.value.items) {
      const key = yaml.isScalar(field.key) ? String(field.key.value) : '?'
      const n = yaml.isScalar(field.value) ? field.value.value : undefined
      if (key !== 'concurrency') at(offset(field.key), `unknown key "executors.${name}.${key}"; allowed: executors.${name}.concurrency`)
      else if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) at(offset(field.value ?? field.key), `executors.${name}.concurrency must be a whole number from 1 to 1000 (most ${name} steps running at once); got ${JSON.stringify(n ?? null)}`)
    }
  }
}
