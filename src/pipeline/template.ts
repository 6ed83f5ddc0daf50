import Mustache from 'mustache'
import {AdwError} from '../errors.js'
import type {Pipeline} from './types.js'

type Token = [string, string, number, number, ...unknown[]]

/** How a value prints in a template: objects and lists as JSON, the rest as strings. */
export const asText = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))

/**
 * Copies a view so that objects and arrays print as JSON wherever Mustache concatenates them
 * (`{{{x}}}` and `{{& x}}` bypass the escape function) and functions are never called.
 */
export function jsonView(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value
  const copy: any = Array.isArray(value) ? value.map(jsonView) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonView(v)]))
  Object.defineProperty(copy, 'toString', {value: () => JSON.stringify(value), enumerable: false})
  return copy
}

/** The raw value of a template that is exactly one tag (`{{x}}` or `{{{x}}}`), to keep it typed. */
function singleTag(template: string): {name: string} | undefined {
  if (!template.startsWith('{{')) return undefined
  let tokens: Token[]
  try {
    tokens = Mustache.parse(template) as Token[]
  } catch {
    return undefined
  }
  if (tokens.length !== 1) return undefined
  const [type, name] = tokens[0]
  return type === 'name' || type === '&' ? {name} : undefined
}

/** Mustache's dotted lookup at the top level, without calling functions. */
function lookup(view: unknown, name: string): unknown {
  if (name === '.') return view
  let value: any = view
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) return undefined
    value = value[part]
  }
  return value
}

interface Views {
  /** The caller's view, for typed single-tag lookups. */
  raw: unknown
  /** The JSON-printing copy, for Mustache (built on first use: copying the scope costs O(steps so far)). */
  readonly safe: unknown
}

function renderString(template: string, views: Views): unknown {
  if (!template.includes('{{')) return template
  const tag = singleTag(template)
  if (tag) {
    const value = lookup(views.raw, tag.name)
    return typeof value === 'function' ? undefined : value
  }
  return Mustache.render(template, views.safe, {}, {escape: asText})
}

function renderDeep(value: unknown, views: Views): unknown {
  if (typeof value === 'string') return renderString(value, views)
  if (Array.isArray(value)) return value.map(v => renderDeep(v, views))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const rendered = renderDeep(v, views)
      if (rendered !== undefined) out[k] = rendered
    }
    return out
  }
  return value
}

/**
 * Renders every string of a step's `with:` block as a Mustache template over `view`, without HTML
 * escaping. Objects render as JSON; a string that is exactly one tag yields the raw value (an
 * undefined one drops the key). Keys in `skip` are left out (shell options: see shell/render.ts).
 */
export function renderOptions(withBlock: Record<string, unknown>, view: Record<string, unknown>, skip: readonly string[] = []): Record<string, unknown> {
  let safe: unknown
  const views: Views = {
    raw: view,
    get safe() {
      return (safe ??= jsonView(view))
    },
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(withBlock)) {
    if (skip.includes(key)) continue
    const rendered = renderDeep(value, views)
    if (rendered !== undefined) out[key] = rendered
  }
  return out
}

const UNIT_MS: Record<string, number> = {h: 3_600_000, m: 60_000, s: 1000, ms: 1}

/** Parses a duration such as "500ms", "30s", "10m" or "1h30m" into milliseconds. */
export function parseTimeout(s: string): number {
  const text = String(s).trim()
  if (!/^(?=\d)(\d+h)?(\d+m(?!s))?(\d+s)?(\d+ms)?$/.test(text)) {
    throw new AdwError('USAGE', `Invalid duration "${s}": use a number with a unit, e.g. "500ms", "30s", "10m" or "1h30m"`)
  }
  let total = 0
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(n) * UNIT_MS[unit]
  return total
}

const TRUE = new Set(['true', 'yes', 'y', 'on', '1'])
const FALSE = new Set(['false', 'no', 'n', 'off', '0'])

function coerce(name: string, type: string, value: unknown): unknown {
  if (type === 'number') {
    if (typeof value === 'number') return value
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
    if (!Number.isFinite(n)) throw new AdwError('USAGE', `Input "${name}" must be a number, got "${String(value)}"`, {suggestions: [`--input ${name}=42`]})
    return n
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value
    const s = String(value).trim().toLowerCase()
    if (TRUE.has(s)) return true
    if (FALSE.has(s)) return false
    throw new AdwError('USAGE', `Input "${name}" must be true or false, got "${String(value)}"`, {suggestions: [`--input ${name}=true`]})
  }
  return typeof value === 'string' ? value : asText(value)
}

export interface ResolveInputsOptions {
  /** How the user passes an input, for hints. @default (name) => `--input ${name}=...` */
  flagFor?: (name: string) => string
}

/**
 * Checks command-line inputs against the pipeline's declared inputs: applies defaults, converts
 * numbers and booleans, and refuses a missing required or an undeclared input (AdwError USAGE, exit 2).
 */
export function resolveInputs(pipeline: Pipeline, given: Record<string, unknown>, opts: ResolveInputsOptions = {}): Record<string, unknown> {
  const flagFor = opts.flagFor ?? ((name: string) => (name === 'prompt' ? '--prompt "..."' : `--input ${name}=...`))
  const declared = Object.keys(pipeline.inputs)
  const list = declared.length > 0 ? declared.join(', ') : '(none)'
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(given)) {
    if (!(name in pipeline.inputs)) {
      throw new AdwError('USAGE', `Unknown input "${name}": pipeline ${pipeline.name} declares ${list}`, {
        suggestions: declared.length > 0 ? [`Declare it under inputs: in ${pipeline.file}, or pass one of: ${list}`] : [`Declare it under inputs: in ${pipeline.file}`],
      })
    }
  }
  for (const [name, def] of Object.entries(pipeline.inputs)) {
    const type = def.type ?? 'string'
    if (given[name] !== undefined) out[name] = coerce(name, type, given[name])
    else if (def.default !== undefined) out[name] = coerce(name, type, def.default)
    else if (def.required) {
      throw new AdwError('USAGE', `Missing required input "${name}" for pipeline ${pipeline.name} (declared inputs: ${list})`, {
        suggestions: [`Pass it with ${flagFor(name)}`],
      })
    }
  }
  return out
}
