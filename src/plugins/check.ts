import {executorValidator} from '../pipeline/schema.js'
import type {StepExecutor} from './types.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const describe = (v: unknown): string => {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'function') return 'a function'
  const s = JSON.stringify(v) ?? String(v)
  return `${typeof v} ${s.length > 30 ? `${s.slice(0, 27)}...` : s}`
}

/**
 * What is wrong with a value that claims to be a StepExecutor (contract v1), or undefined when it
 * is one. Compiles its `schema` so a broken schema is caught when the executor loads, not at use.
 */
export function executorProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `is not an executor object {name, run(options, ctx)}, got ${describe(value)}`
  const {name} = value
  if (typeof name !== 'string' || name.trim() === '') return `has no name: "name" must be a non-empty string, got ${describe(name)}`
  if (name.includes('/') || name.startsWith('.')) return `"${name}" is not a valid name: it must not contain "/" or start with "." (those mean a qualified name or a local module)`
  const label = `"${name}"`
  if (typeof value.run !== 'function') return `${label} has no run(options, ctx) function, got ${describe(value.run)}`
  if (value.description !== undefined && typeof value.description !== 'string') return `${label}: "description" must be a string, got ${describe(value.description)}`
  if (value.version !== undefined && typeof value.version !== 'string') return `${label}: "version" must be a string, got ${describe(value.version)}`
  if (value.preflight !== undefined && typeof value.preflight !== 'function') return `${label}: "preflight" must be a function, got ${describe(value.preflight)}`
  if (value.shellOptions !== undefined && !(Array.isArray(value.shellOptions) && value.shellOptions.every(s => typeof s === 'string'))) {
    return `${label}: "shellOptions" must be a list of option names`
  }
  if (value.schema !== undefined) {
    if (!isObject(value.schema)) return `${label}: "schema" must be a JSON Schema object, got ${describe(value.schema)}`
    try {
      executorValidator(value.schema)
    } catch (error) {
      return `${label} has an invalid options schema: ${(error as Error).message.split('\n')[0]}`
    }
  }
  return undefined
}

/** Narrows `value` to a StepExecutor, or throws an Error describing what is wrong with it. */
export function assertExecutor(value: unknown, what: string): StepExecutor {
  const problem = executorProblem(value)
  if (problem) throw new Error(`${what} ${problem}`)
  return value as StepExecutor
}
