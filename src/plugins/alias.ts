import {AdwError} from '../errors.js'
import type {ExecutorRegistry} from './registry.js'

/**
 * `--executor FROM=TO`: every `uses: FROM` resolves to TO instead, so the seed pipelines run on
 * Claude Code without editing them (`--executor agent=claude-code`). TO must be a known executor.
 */
export function aliasRegistry(base: ExecutorRegistry, pairs: string[]): ExecutorRegistry {
  if (pairs.length === 0) return base
  const aliases: Record<string, string> = {}
  for (const pair of pairs) {
    const [from, to] = pair.split('=', 2)
    if (!from || !to) throw new AdwError('USAGE', `--executor "${pair}" must look like FROM=TO, e.g. --executor agent=claude-code`)
    if (!base.names().includes(to) && !to.includes('/')) {
      throw new AdwError('EXECUTOR_NOT_FOUND', `--executor ${pair}: no executor named "${to}"`, {suggestions: ['adw executors']})
    }
    aliases[from] = to
  }
  return {...base, resolve: (uses, dir) => base.resolve(aliases[uses] ?? uses, dir)}
}
