import type {StepExecutor} from './types.js'
import {builtins} from './builtins.js'

/** Where an executor comes from, for `adw executors` and error messages. */
export interface ExecutorSource {
  executor: StepExecutor
  /** 'built-in', a plugin's package name, or 'local'. */
  source: string
}

/** What `uses:` can name. The pipeline loader resolves every step through one of these. */
export interface ExecutorRegistry {
  /** Resolves a `uses:` value. Local modules (`./x.js`) resolve from `pipelineDir`. */
  resolve(uses: string, pipelineDir: string): Promise<StepExecutor | undefined>
  /** Every name that `uses:` can take (for "did you mean" hints). */
  names(): string[]
  list(): ExecutorSource[]
}

/** A registry of the built-in executors plus any extra ones (from plugins). */
export function createRegistry(extra: ExecutorSource[] = []): ExecutorRegistry {
  const byName = new Map<string, ExecutorSource>()
  for (const e of builtins) byName.set(e.name, {executor: e, source: 'built-in'})
  for (const e of extra) byName.set(e.executor.name, e)
  return {
    async resolve(uses) {
      return byName.get(uses)?.executor
    },
    names: () => [...byName.keys()],
    list: () => [...byName.values()],
  }
}
