import {LOG_LEVELS, LOG_TYPES, RUN_STATUSES} from '../store/values.js'
import {HttpError} from './errors.js'

type Query = Record<string, string | undefined>

/** Query parameters a route accepts; any other one is refused, so a typo is not silently ignored. */
export function onlyParams(query: Query, allowed: string[]): void {
  const unknown = Object.keys(query).filter(k => !allowed.includes(k))
  if (unknown.length > 0) throw new HttpError(400, 'BAD_PARAMETER', `Unknown query parameter "${unknown[0]}"; this endpoint takes: ${allowed.join(', ') || 'none'}.`)
}

/** A whole number within [min, max], or the default when absent. */
export function intParam(query: Query, name: string, opts: {min: number; max: number; default?: number}): number | undefined {
  const raw = query[name]
  if (raw === undefined || raw === '') return opts.default
  if (!/^\d+$/.test(raw) || Number(raw) < opts.min || Number(raw) > opts.max) {
    throw new HttpError(400, 'BAD_PARAMETER', `Query parameter "${name}" must be a whole number from ${opts.min} to ${opts.max}; got "${raw.slice(0, 40)}".`)
  }
  return Number(raw)
}

/** One of `values`, or undefined when absent. */
export function enumParam<T extends string>(query: Query, name: string, values: readonly T[]): T | undefined {
  const raw = query[name]
  if (raw === undefined || raw === '') return undefined
  if (!values.includes(raw as T)) throw new HttpError(400, 'BAD_PARAMETER', `Query parameter "${name}" must be one of ${values.join(', ')}; got "${raw.slice(0, 40)}".`)
  return raw as T
}

/** Free text up to `max` characters, or undefined when absent or empty. */
export function textParam(query: Query, name: string, max = 200): string | undefined {
  const raw = query[name]
  if (raw === undefined || raw === '') return undefined
  if (raw.length > max) throw new HttpError(400, 'BAD_PARAMETER', `Query parameter "${name}" is longer than ${max} characters.`)
  return raw
}

export const statusParam = (q: Query) => enumParam(q, 'status', RUN_STATUSES)
export const levelParam = (q: Query) => enumParam(q, 'level', LOG_LEVELS)
export const typeParam = (q: Query) => enumParam(q, 'type', LOG_TYPES)
