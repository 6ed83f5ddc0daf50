import type {ExecutorContext} from '../plugins/types.js'
import {base64Forms, maskEdges, secretPattern} from './encodings.js'
import {MIN_SECRET_LENGTH, secretsOf} from './names.js'

/** What a secret is replaced with, everywhere. */
export const MASK = '[REDACTED]'

/** Removes secrets from text and values; the one redactor of adw (engine journal, executors, store). */
export interface Redactor {
  /** No secret to mask: every method returns its argument. */
  readonly none: boolean
  /** The text with every secret, in any of its forms (encodings.ts), replaced by MASK. */
  text(s: string): string
  /**
   * A JSON-like value with every string (and key) masked before it is ever encoded, so a secret
   * with `"` or `\` cannot slip through as its escaped form. The same object when nothing changed.
   */
  value<T>(v: T): T
  /** The same error, or a copy whose message and stack are masked. */
  error(e: Error): Error
  /** A log function that masks the message and details before passing them on. */
  log(log: ExecutorContext['log']): ExecutorContext['log']
}

/** A redactor for these values (shorter than MIN_SECRET_LENGTH, empty or missing ones are ignored). */
export function createRedactor(values: Iterable<unknown>): Redactor {
  // A multi-line secret (a PEM key) is printed, and logged, a line at a time: each line is one too.
  const given = [...values].filter((v): v is string => typeof v === 'string')
  const lines = given.filter(v => v.includes('\n')).flatMap(v => v.split(/\r?\n/).map(l => l.trim()))
  const secrets = [...new Set([...given, ...lines].filter(v => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length)
  if (secrets.length === 0) return NONE
  // One expression per secret, longest first: a combined alternation scans several times slower.
  const whole = secrets.map(s => new RegExp([secretPattern(s), ...base64Forms(s).map(escapeLiteral)].join('|'), 'g'))
  const text = (s: string): string => {
    if (!s) return s
    for (const re of whole) s = s.replace(re, MASK)
    return maskEdges(s, secrets, MASK)
  }
  const value = <T>(v: T): T => walk(v, text, new Set()) as T
  return {
    none: false,
    text,
    value,
    error(e) {
      const message = text(e.message)
      const stack = e.stack === undefined ? undefined : text(e.stack)
      if (message === e.message && stack === e.stack) return e
      // Same class and own fields (a StepFailure keeps its kind, retry-after and outputs, masked too);
      // the cause, which may hold the secret, is dropped.
      const copy: Error = Object.create(Object.getPrototypeOf(e))
      for (const [k, v] of Object.entries(e)) (copy as any)[k] = value(v)
      Object.defineProperty(copy, 'message', {value: message, writable: true, configurable: true})
      copy.name = e.name
      Object.defineProperty(copy, 'stack', {value: stack, writable: true, configurable: true})
      return copy
    },
    log: log => (level, type, message, details) => log(level, type, text(message), details === undefined ? undefined : value(details)),
  }
}

/** The redactor of a run: secret-looking variables of `env` (names.ts) plus `extra` values (secret inputs). */
export function envRedactor(env: Readonly<Record<string, string | undefined>>, extra: unknown[] = []): Redactor {
  return createRedactor([...secretsOf(env), ...extra])
}

const NONE: Redactor = {none: true, text: s => s, value: v => v, error: e => e, log: l => l}

const escapeLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

/** Masks every string of a JSON-like value; copies only the parts that changed. */
function walk(v: unknown, text: (s: string) => string, seen: Set<object>): unknown {
  if (typeof v === 'string') return text(v)
  if (v === null || typeof v !== 'object' || seen.has(v)) return v
  const json = (v as {toJSON?: unknown}).toJSON
  if (typeof json === 'function') return walk(json.call(v), text, seen)
  seen.add(v)
  try {
    if (Array.isArray(v)) {
      const out = v.map(x => walk(x, text, seen))
      return out.some((x, i) => x !== v[i]) ? out : v
    }
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const key = text(k)
      const val = walk(x, text, seen)
      if (key !== k || val !== x) changed = true
      out[key] = val
    }
    // An Error's message and stack are not enumerable: JSON would drop them, so may we.
    return changed ? out : v
  } finally {
    seen.delete(v)
  }
}
