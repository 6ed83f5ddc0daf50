import type {Config} from '@oclif/core'
import {resolve} from 'node:path'
import type {Hooks} from '@oclif/core/interfaces'
import {AdwError} from '../errors.js'
import {builtins} from './builtins.js'
import {executorProblem} from './check.js'
import {isLocalModule, loadLocalExecutor} from './local.js'
import type {StepExecutor} from './types.js'
import {EXECUTOR_API_VERSION} from './version.js'

/** The qualifier of built-in executors in qualified names (`adw/shell`). */
export const BUILTIN_QUALIFIER = 'adw'

/**
 * oclif's hooks plus adw's own event. `Hooks` is a type alias, so declaration merging fails:
 * pass this as the second type argument of `runHook` and `Hook`.
 */
export type AdwHooks = Hooks & {'adw:executors': {options: {apiVersion: number}; return: StepExecutor[]}}

/** Where an executor comes from, for `adw executors` and error messages. */
export interface ExecutorSource {
  executor: StepExecutor
  /** 'built-in', a plugin's package name, or 'local (<path>)'. */
  source: string
  /** A local module's absolute path. */
  path?: string
}

/** What `uses:` can name. The pipeline loader resolves every step through one of these. */
export interface ExecutorRegistry {
  /**
   * Resolves a `uses:` value: a name, a qualified name `<plugin>/<name>` (`adw/<name>` for a
   * built-in), or a local module (`./x.js`, `../x.mjs`, absolute) resolved from `pipelineDir`.
   * Undefined when nothing has that name; throws when the name is ambiguous or a module fails to load.
   */
  resolve(uses: string, pipelineDir: string): Promise<StepExecutor | undefined>
  /** Every name that `uses:` can take (for "did you mean" hints). */
  names(): string[]
  /** Every executor known, duplicates included, plus the local modules resolved so far. */
  list(): ExecutorSource[]
}

/** The name that always picks this executor, even when another source has one with the same name. */
export const qualifiedName = (e: ExecutorSource): string =>
  `${e.source === 'built-in' ? BUILTIN_QUALIFIER : e.source}/${e.executor.name}`

/** A registry of the built-in executors plus extra ones (from plugins), and local modules on demand. */
export function createRegistry(extra: ExecutorSource[] = []): ExecutorRegistry {
  const all: ExecutorSource[] = [...builtins.map(executor => ({executor, source: 'built-in'})), ...extra]
  const byName = new Map<string, ExecutorSource[]>()
  for (const e of all) byName.set(e.executor.name, [...(byName.get(e.executor.name) ?? []), e])
  const locals = new Map<string, Promise<ExecutorSource>>()
  const loaded: ExecutorSource[] = []

  /** `<plugin>/<name>`; throws saying what is wrong when nothing has that qualified name. */
  function byQualifiedName(uses: string): StepExecutor {
    const slash = uses.lastIndexOf('/')
    const [qualifier, name] = [uses.slice(0, slash), uses.slice(slash + 1)]
    const found = byName.get(name)?.find(e => qualifiedName(e) === uses)
    if (found) return found.executor
    if (/\.(m|c)?[jt]s$/.test(uses)) {
      throw new AdwError('EXECUTOR_NOT_FOUND', `a local module must start with ./ or ../ (or be absolute): write uses: ./${uses}`)
    }
    const provided = all.filter(e => qualifiedName(e).startsWith(`${qualifier}/`)).map(e => e.executor.name)
    if (provided.length > 0) {
      throw new AdwError('EXECUTOR_NOT_FOUND', `${qualifier === BUILTIN_QUALIFIER ? 'adw' : `plugin ${qualifier}`} has no executor "${name}"; it provides ${provided.join(', ')}`)
    }
    const plugins = [...new Set(extra.map(e => e.source))]
    const others = byName.has(name) ? `; "${name}" alone is ${byName.get(name)!.map(qualifiedName).join(', ')}` : ''
    throw new AdwError('EXECUTOR_NOT_FOUND', `no installed plugin "${qualifier}" provides executors (${plugins.length > 0 ? `those that do: ${plugins.join(', ')}` : 'none is installed'})${others}. Install it from npm (adw plugins install ${qualifier}) or link its folder (adw plugins link <dir>), then check: adw executors`)
  }

  return {
    async resolve(uses, pipelineDir) {
      if (isLocalModule(uses)) {
        const key = resolve(pipelineDir, uses)
        if (!locals.has(key)) {
          const p = loadLocalExecutor(uses, pipelineDir)
          locals.set(key, p)
          p.then(e => loaded.push(e), () => {})
        }
        return (await locals.get(key)!).executor
      }
      if (uses.includes('/')) return byQualifiedName(uses)
      const found = byName.get(uses)
      if (!found) return undefined
      if (found.length > 1) {
        const sources = found.map(e => e.source)
        throw new AdwError('EXECUTOR_NOT_FOUND', `"${uses}" is ambiguous: it is provided by ${sources.slice(0, -1).join(', ')} and ${sources.at(-1)}. Choose one with a qualified name: ${found.map(e => `uses: ${qualifiedName(e)}`).join(' or ')}`, {
          suggestions: [`uninstall one of the plugins (adw plugins uninstall <name>), or write uses: ${qualifiedName(found[found.length - 1])}`],
        })
      }
      return found[0].executor
    },
    names: () => [...byName.keys()],
    list: () => [...all, ...loaded],
  }
}

export interface LoadRegistryOptions {
  /** Where warnings about broken plugins go. @default a `Warning: …` line on stderr */
  warn?: (message: string) => void
  /** How long one plugin's hook may take. @default 10000 */
  timeoutMs?: number
}

/**
 * The registry of a running CLI: built-ins plus every executor that installed or linked oclif
 * plugins contribute through their `adw:executors` hook. A plugin whose hook throws, times out or
 * returns something that is not an executor is skipped with a warning naming it.
 */
export async function loadRegistry(config: Config, opts: LoadRegistryOptions = {}): Promise<ExecutorRegistry> {
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`Warning: ${m}\n`))
  const timeoutMs = opts.timeoutMs ?? 10_000
  // oclif's hook timeout timer is unref'd: a hook that never settles would let Node exit mid-command.
  const keepAlive = setTimeout(() => {}, timeoutMs + 1000)
  const result = await config
    .runHook<'adw:executors', AdwHooks>('adw:executors', {apiVersion: EXECUTOR_API_VERSION}, timeoutMs, true)
    .finally(() => clearTimeout(keepAlive))
  const fix = (plugin: string) => `its executors are skipped, everything else works. Try: adw plugins update, or adw plugins uninstall ${plugin}`
  for (const {plugin, error} of result.failures) {
    const why = String((error as Error)?.message ?? error).split('\n')[0].replace(/\.$/, '')
    warn(`plugin ${plugin.name} failed to load its executors: ${why}; ${fix(plugin.name)}`)
  }
  const extra: ExecutorSource[] = []
  for (const {plugin, result: list} of result.successes) {
    if (!Array.isArray(list)) {
      warn(`plugin ${plugin.name}: its adw:executors hook must return a list of executors, got ${list === null ? 'null' : typeof list}; ${fix(plugin.name)}`)
      continue
    }
    const names = new Set<string>()
    for (const [i, executor] of list.entries()) {
      const problem = executorProblem(executor)
      if (problem) {
        warn(`plugin ${plugin.name}: executor #${i + 1} ${problem}; it is skipped`)
      } else if (names.has(executor.name)) {
        warn(`plugin ${plugin.name}: two executors named "${executor.name}"; the second is skipped`)
      } else {
        names.add(executor.name)
        extra.push({executor, source: plugin.name})
      }
    }
  }
  // Hooks run in parallel and finish in any order; list them stably.
  extra.sort((a, b) => a.source.localeCompare(b.source) || a.executor.name.localeCompare(b.executor.name))
  return createRegistry(extra)
}
