import Anthropic, {APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError} from '@anthropic-ai/sdk'
import {classify, kindOfStatus, retryAfterMs, StepFailure} from '../failures.js'

/** The API that answers when `ANTHROPIC_BASE_URL` is not set. */
export const DEFAULT_BASE_URL = 'https://api.anthropic.com'

export interface ClientSettings {
  apiKey: string
  baseURL?: string
  /** SDK retries for 408/409/429/5xx/529 and connection errors. @default 2 */
  maxRetries?: number
  /** Where the SDK's own warnings go (deprecated model, retry notes). */
  warn?: (message: string) => void
}

/**
 * An SDK client with everything explicit: the key (otherwise the SDK reads profile config on
 * disk), the base URL, retries, and a logger, so nothing depends on the process environment.
 */
export function createClient(s: ClientSettings): Anthropic {
  const warn = (msg: string) => s.warn?.(msg)
  return new Anthropic({
    apiKey: s.apiKey,
    baseURL: s.baseURL || DEFAULT_BASE_URL,
    maxRetries: s.maxRetries ?? 2,
    logLevel: 'warn',
    logger: {debug() {}, info() {}, warn, error: warn},
  })
}

/**
 * The step failure for an error thrown by the SDK: what failed, why, what to do, never the key;
 * typed (src/plugins/failures.ts) so a step's retry policy can tell a 429 (with its retry-after)
 * from a refused key.
 */
export function describeApiError(error: unknown, info: {baseURL: string; maxRetries: number; signal: AbortSignal}): StepFailure {
  if (info.signal.aborted) return abortFailure(info.signal.reason)
  const retries = info.maxRetries > 0 ? ` (after ${info.maxRetries} retries)` : ''
  if (error instanceof APIUserAbortError) return new StepFailure('cancelled', 'Agent step cancelled', {cause: error})
  if (error instanceof APIConnectionTimeoutError) {
    return new StepFailure('timeout', `Anthropic API at ${info.baseURL} did not answer in time${retries}.`, {cause: error})
  }
  if (error instanceof APIConnectionError) {
    const why = (error.cause as Error | undefined)?.message ?? error.message
    return new StepFailure('network', `Could not reach the Anthropic API at ${info.baseURL}${retries}: ${why}. Check ANTHROPIC_BASE_URL and the network.`, {cause: error})
  }
  if (error instanceof APIError && error.status) {
    const req = error.requestID ? `, request id ${error.requestID}` : ''
    const what = `${error.status} ${error.type ?? 'error'}${req}`
    const detail = error.apiMessage ? `: ${error.apiMessage}` : ''
    const after = retryAfterMs(error.headers)
    const typed = {status: error.status, cause: error, ...(after === undefined ? {} : {retryAfterMs: after})}
    if (error.status === 401) {
      return new StepFailure('auth', `Anthropic API rejected the API key (${what}). Check ANTHROPIC_API_KEY in the environment or in the working directory's .env.`, typed)
    }
    if (error.status === 403) {
      return new StepFailure('auth', `Anthropic API refused the request (${what})${detail}. The API key may lack access to this model or workspace.`, typed)
    }
    const retried = error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500
    return new StepFailure(kindOfStatus(error.status), `Anthropic API error ${what}${detail}${retried ? retries : ''}.`, typed)
  }
  return classify(error)
}

/** The failure of a step stopped by its signal: the engine's reason when it is typed (a timeout), else a cancel. */
export function abortFailure(reason: unknown): StepFailure {
  if (StepFailure.is(reason)) return reason
  return new StepFailure('cancelled', reason instanceof Error ? reason.message : 'Agent step cancelled', reason instanceof Error ? {cause: reason} : {})
}

const SDK_NOTICE = /^The model '.*' is deprecated|^Using Claude with /
const noticeHandlers = new Set<(message: string) => void>()
let originalWarn: typeof console.warn | undefined

/**
 * Runs `fn` while the SDK's per-request console notices (deprecated model) go to `onNotice`,
 * once each, instead of the terminal, where they would repeat on every turn and break the live view.
 */
export async function routeSdkNotices<T>(onNotice: (message: string) => void, fn: () => Promise<T>): Promise<T> {
  const seen = new Set<string>()
  const handler = (m: string) => {
    if (!seen.has(m)) onNotice(m)
    seen.add(m)
  }
  if (!originalWarn) {
    const warn = (originalWarn = console.warn)
    console.warn = (...args: unknown[]) => {
      const message = args.map(String).join(' ')
      if (!SDK_NOTICE.test(message)) return warn.apply(console, args)
      for (const h of noticeHandlers) h(message)
    }
  }
  noticeHandlers.add(handler)
  try {
    return await fn()
  } finally {
    noticeHandlers.delete(handler)
    if (!noticeHandlers.size && originalWarn) {
      console.warn = originalWarn
      originalWarn = undefined
    }
  }
}
