/**
 * One webhook delivery: POST the JSON body, signed with `X-Adw-Signature: sha256=<HMAC-SHA256 of the
 * body, hex>` when the target has a secret; retried by p-retry with exponential backoff on 5xx, 408,
 * 429, timeouts and network errors (never on another 4xx: the request itself is wrong).
 */
import {createHmac} from 'node:crypto'
import pRetry, {AbortError} from 'p-retry'
import type {WebhookTarget} from './resolve.js'

/** One attempt, as recorded in the run's log. */
export interface Attempt {
  attempt: number
  ok: boolean
  /** HTTP status, when an answer came. */
  status?: number
  error?: string
  durationMs: number
  /** Milliseconds until the next attempt; absent when none follows. */
  retryInMs?: number
}

/** Backoff between attempts. @default 500 ms doubling, at most 10 s */
export const BACKOFF = {minTimeout: 500, factor: 2, maxTimeout: 10_000}

/** The signature header's value for `body` under `secret`. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

class HttpStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
  }
}

/** Delivers `body`; resolves with whether it arrived (never rejects). */
export async function sendWebhook(target: WebhookTarget, body: string, meta: {event: string; delivery: string; version: string}, onAttempt: (a: Attempt) => void): Promise<boolean> {
  const headers: Record<string, string> = {
    ...target.headers,
    'content-type': 'application/json',
    'user-agent': `adw/${meta.version}`,
    'x-adw-event': meta.event,
    'x-adw-delivery': meta.delivery,
    ...(target.secret ? {'x-adw-signature': signature(target.secret, body)} : {}),
  }
  let started = 0
  try {
    await pRetry(
      async attempt => {
        started = Date.now()
        let res: Response
        try {
          res = await fetch(target.url, {method: 'POST', headers, body, signal: AbortSignal.timeout(target.timeoutMs), redirect: 'error'})
        } catch (error) {
          throw (error as Error).name === 'TimeoutError' ? new Error(`no answer within ${target.timeoutMs / 1000} s`) : error
        }
        await res.arrayBuffer().catch(() => undefined) // read it, so the connection is free
        if (res.ok) {
          onAttempt({attempt, ok: true, status: res.status, durationMs: Date.now() - started})
          return
        }
        const retryable = res.status >= 500 || res.status === 408 || res.status === 429
        if (!retryable) {
          onAttempt({attempt, ok: false, status: res.status, error: `HTTP ${res.status}`, durationMs: Date.now() - started})
          throw new AbortError(new HttpStatus(res.status))
        }
        throw new HttpStatus(res.status)
      },
      {
        retries: target.retries,
        ...BACKOFF,
        onFailedAttempt: ({error, attemptNumber, retriesLeft, retryDelay}) => {
          onAttempt({
            attempt: attemptNumber,
            ok: false,
            ...(error instanceof HttpStatus ? {status: error.status} : {}),
            error: describe(error),
            durationMs: Date.now() - started,
            ...(retriesLeft > 0 && retryDelay > 0 ? {retryInMs: retryDelay} : {}),
          })
        },
      },
    )
    return true
  } catch {
    return false
  }
}

/** fetch's "fetch failed" says little: its cause (ECONNREFUSED 127.0.0.1:9) says what happened. */
function describe(error: Error): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return cause?.code ?? cause?.message ?? error.message
}
