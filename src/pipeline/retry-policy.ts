// `retry:` of a step, as written → the RetryPolicy the engine's step runner follows. The schema has
// checked the shapes (types, ranges, the duration pattern); this adds what a schema cannot say.
import {MAX_RETRY_WAIT_MS} from '../limits.js'
import type {PathSegment, SourceFile} from './source.js'
import {parseTimeout} from './template.js'
import type {RetryOn, RetryPolicy} from './types.js'

/** What an empty `retry: {}` means. */
export const RETRY_DEFAULTS: RetryPolicy = {
  maxAttempts: 3,
  backoff: {initialMs: 1000, factor: 2, maxMs: 60_000},
  on: ['rate_limit', 'overloaded', 'server', 'network'],
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

const duration = (v: unknown, fallback: number): number => {
  if (typeof v !== 'string') return fallback
  try {
    return parseTimeout(v)
  } catch {
    return fallback // the schema reports the pattern
  }
}

/** The policy of `retry:` (a number is maxAttempts); undefined without one. Reports what is inconsistent. */
export function parseRetry(src: SourceFile, raw: unknown, path: PathSegment[], reader: string): RetryPolicy | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw === 'number') return Number.isInteger(raw) ? {...RETRY_DEFAULTS, maxAttempts: raw} : undefined
  if (!isObject(raw)) return undefined
  const backoff = isObject(raw.backoff) ? raw.backoff : {}
  const policy: RetryPolicy = {
    maxAttempts: Number.isInteger(raw.maxAttempts) ? raw.maxAttempts : RETRY_DEFAULTS.maxAttempts,
    backoff: {
      initialMs: duration(backoff.initial, RETRY_DEFAULTS.backoff.initialMs),
      factor: typeof backoff.factor === 'number' ? backoff.factor : RETRY_DEFAULTS.backoff.factor,
      maxMs: duration(backoff.max, RETRY_DEFAULTS.backoff.maxMs),
    },
    on: Array.isArray(raw.on) && raw.on.length > 0 ? (raw.on as RetryOn[]) : RETRY_DEFAULTS.on,
  }
  const at = (...p: PathSegment[]) => src.nodeAt([...path, ...p])
  if (policy.backoff.maxMs > MAX_RETRY_WAIT_MS) {
    src.reportAt(at('backoff', 'max'), `retry.backoff.max of ${reader} must be at most 1h, got "${backoff.max}"; e.g. "5m"`)
  }
  if (policy.backoff.initialMs > policy.backoff.maxMs && policy.backoff.maxMs <= MAX_RETRY_WAIT_MS) {
    const given = (k: 'initial' | 'max', ms: number) => (typeof backoff[k] === 'string' ? `"${backoff[k]}"` : `${ms / 1000}s, the default`)
    src.reportAt(
      at('backoff', typeof backoff.initial === 'string' ? 'initial' : 'max'),
      `retry.backoff.initial of ${reader} (${given('initial', policy.backoff.initialMs)}) cannot be more than its max (${given('max', policy.backoff.maxMs)}): lower initial or raise max, e.g. backoff: {initial: 1s, max: 60s}`,
    )
  }
  if (policy.on.includes('any') && policy.on.length > 1) {
    src.reportAt(at('on'), `retry.on of ${reader} lists "any" with other kinds: "any" already covers them (never auth, budget, quota or cancellation); write on: [any] or list the kinds`)
  }
  return policy
}
