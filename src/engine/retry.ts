// The retry policy of a step, as pure functions: whether a failed attempt is tried again, and after
// how long. The step runner does the waiting (abortable) and records each attempt.
import type {RetryPolicy} from '../pipeline/types.js'
import type {StepFailure} from '../plugins/failures.js'

/**
 * How long to wait before trying again after attempt `attempt` (1-based) failed with `failure`;
 * undefined: do not try again. Never retried: the last attempt (`maxAttempts`), a failure that is not
 * retryable (auth, budget, quota, cancelled, invalid), a kind the policy's `on` does not list (`any`
 * lists every retryable kind). The wait is the `retry-after` the other side gave, at most
 * `backoff.max`; else `initial × factor^(attempt−1)` at most `backoff.max`, with jitter: between
 * half of it and all of it, so parallel steps that failed together do not all come back at once.
 */
export function nextDelay(policy: RetryPolicy, attempt: number, failure: StepFailure, random: () => number = Math.random): number | undefined {
  if (attempt >= policy.maxAttempts || !failure.retryable) return undefined
  if (!policy.on.includes('any') && !(policy.on as string[]).includes(failure.kind)) return undefined
  const {initialMs, factor, maxMs} = policy.backoff
  if (failure.retryAfterMs !== undefined) return Math.round(Math.min(Math.max(0, failure.retryAfterMs), maxMs))
  const base = Math.min(initialMs * factor ** Math.max(0, attempt - 1), maxMs)
  return Math.round(base / 2 + (base / 2) * Math.min(1, Math.max(0, random())))
}

/** The log line of a retry: `rate_limit (429): trying again in 2.0 s (attempt 2 of 3)`. */
export function retryMessage(failure: StepFailure, attempt: number, policy: RetryPolicy, delayMs: number): string {
  const status = failure.status === undefined ? '' : ` (${failure.status})`
  const asked = failure.retryAfterMs === undefined ? '' : failure.retryAfterMs > delayMs ? `, retry-after ${(failure.retryAfterMs / 1000).toFixed(1)} s capped at backoff.max` : ', as retry-after asked'
  return `${failure.kind}${status}: trying again in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${policy.maxAttempts}${asked})`
}
