// Typed step failures: what kind of failure a step had, whether trying again may help, and how long
// the other side asked to wait. Executors throw them; classify() turns anything else thrown (an SDK
// error, an execa error, an abort) into one, so the engine's retry policy (src/engine/retry.ts)
// decides from the kind alone. Exported for plugin authors: `throw new StepFailure('rate_limit', …)`.

/** What went wrong, in the words a retry policy uses. */
export type FailureKind =
  /** 429: too many requests or tokens for now. */
  | 'rate_limit'
  /** 529: the API is overloaded. */
  | 'overloaded'
  /** Another 5xx (or 408/409): the server failed. */
  | 'server'
  /** The step (or a request) ran out of time. */
  | 'timeout'
  /** The connection failed: refused, reset, DNS. */
  | 'network'
  /** The key is missing, wrong or lacks access (401/403). Never retried. */
  | 'auth'
  /** The step's spending limit is used up. Never retried. */
  | 'budget'
  /** The account's usage quota is used up until a reset time. Never retried. */
  | 'quota'
  /** Ctrl-C, SIGTERM or a fail-fast stop. Never retried. */
  | 'cancelled'
  /** A command exited with a non-zero status. */
  | 'exit'
  /** The request or the step's options or answer are invalid (400, a missing binary, bad JSON). Never retried. */
  | 'invalid'
  /** Anything else. */
  | 'other'

/** Kinds that trying again cannot fix. */
const PERMANENT: ReadonlySet<FailureKind> = new Set(['auth', 'budget', 'quota', 'cancelled', 'invalid'])

const BRAND = Symbol.for('adw.StepFailure')

export interface StepFailureOptions {
  /** How long the other side asked to wait (a `retry-after` header), in ms. */
  retryAfterMs?: number
  /** The HTTP status, when the failure is an API answer. */
  status?: number
  /** When a quota resets, as the other side said it (an ISO time when it gave one, else its words). */
  resetsAt?: string
  /** Outputs the step produced before failing (a shell step's exitCode, stdout, stderr). */
  outputs?: Record<string, unknown>
  cause?: unknown
}

/** A step failure with a kind. `StepFailure.is(e)` also knows one thrown by another copy of adw (a plugin may bundle it). */
export class StepFailure extends Error {
  readonly kind: FailureKind
  /** Whether trying again may help: false for auth, budget, quota, cancelled and invalid. */
  readonly retryable: boolean
  readonly retryAfterMs?: number
  readonly status?: number
  readonly resetsAt?: string
  /** Outputs the step produced before failing; the engine keeps them (continueOnError shows them). */
  outputs?: Record<string, unknown>

  constructor(kind: FailureKind, message: string, opts: StepFailureOptions = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'StepFailure'
    this.kind = kind
    this.retryable = !PERMANENT.has(kind)
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs
    if (opts.status !== undefined) this.status = opts.status
    if (opts.resetsAt !== undefined) this.resetsAt = opts.resetsAt
    if (opts.outputs !== undefined) this.outputs = opts.outputs
  }

  /** Whether `error` is a StepFailure, from this copy of adw or another. */
  static is(error: unknown): error is StepFailure {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true
  }

  get [BRAND](): true {
    return true
  }
}

/** The failure kind of an HTTP status: 429 rate_limit, 529 overloaded, 5xx/408/409 server, 401/403 auth, other 4xx invalid. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 429) return 'rate_limit'
  if (status === 529) return 'overloaded'
  if (status === 401 || status === 403) return 'auth'
  if (status >= 500 || status === 408 || status === 409) return 'server'
  if (status >= 400) return 'invalid'
  return 'other'
}

type HeaderBag = {get?: (name: string) => string | null | undefined} & Record<string, unknown>

const header = (headers: unknown, name: string): string | undefined => {
  if (!headers || typeof headers !== 'object') return undefined
  const bag = headers as HeaderBag
  const v = typeof bag.get === 'function' ? bag.get(name) : (bag[name] ?? bag[name.toLowerCase()])
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
}

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds, or an HTTP date), in ms; undefined when neither says. */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'))
  if (Number.isFinite(ms) && ms >= 0 && header(headers, 'retry-after-ms') !== undefined) return Math.round(ms)
  const after = header(headers, 'retry-after')
  if (after === undefined) return undefined
  if (/^\d+(\.\d+)?$/.test(after)) return Math.round(Number(after) * 1000)
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])

/** The kind of one error object, without looking at its causes; undefined when it says nothing. */
function own(e: Record<string, any>): Omit<StepFailureOptions, 'cause'> & {kind: FailureKind} | undefined {
  const name = typeof e.name === 'string' ? e.name : ''
  // The SDK's classes, by name (a bundler may add a digit); the SDK itself is never imported here.
  const cls = String(e.constructor?.name ?? '').replace(/\d+$/, '')
  if (name === 'AbortError' || cls === 'APIUserAbortError' || e.isCanceled === true) return {kind: 'cancelled'}
  if (name === 'TimeoutError' || cls === 'APIConnectionTimeoutError' || e.timedOut === true) return {kind: 'timeout'}
  if (cls === 'APIConnectionError') return {kind: 'network'}
  if (typeof e.status === 'number' && e.status >= 400) {
    const after = retryAfterMs(e.headers)
    return {kind: kindOfStatus(e.status), status: e.status, ...(after === undefined ? {} : {retryAfterMs: after})}
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return {kind: 'network'}
  if (e.code === 'ENOENT' && typeof e.syscall === 'string' && e.syscall.startsWith('spawn')) return {kind: 'invalid'}
  if (typeof e.exitCode === 'number' && e.exitCode !== 0) return {kind: 'exit'}
  return undefined
}

/**
 * The typed failure of anything a step threw: a StepFailure as it is; an SDK error by its status
 * (and `retry-after`), class or connection code; an execa error by timeout, cancel or exit code; an
 * abort; else kind 'other'. Looks through `cause` (an executor wraps the SDK's error in a readable
 * one) and keeps the outermost message and outputs.
 */
export function classify(error: unknown): StepFailure {
  if (StepFailure.is(error)) return error
  const outer = error instanceof Error ? error : new Error(String(error))
  const outputs = (error as {outputs?: unknown} | null)?.outputs
  const carried = outputs && typeof outputs === 'object' ? {outputs: outputs as Record<string, unknown>} : {}
  let e: unknown = error
  for (let depth = 0; depth < 8 && e && typeof e === 'object'; depth++) {
    if (StepFailure.is(e)) return new StepFailure(e.kind, outer.message, {...pick(e), ...carried, cause: error})
    const found = own(e as Record<string, any>)
    if (found) return new StepFailure(found.kind, outer.message, {...found, ...carried, cause: error})
    e = (e as {cause?: unknown}).cause
  }
  return new StepFailure('other', outer.message, {...carried, cause: error})
}

const pick = (f: StepFailure): StepFailureOptions => ({
  ...(f.retryAfterMs === undefined ? {} : {retryAfterMs: f.retryAfterMs}),
  ...(f.status === undefined ? {} : {status: f.status}),
  ...(f.resetsAt === undefined ? {} : {resetsAt: f.resetsAt}),
  ...(f.outputs === undefined ? {} : {outputs: f.outputs}),
})
