/**
 * `adw run --wait-for-quota`: a step stopped by a usage limit that says when it resets (Claude Code's
 * "You've hit your session limit · resets …", kind quota), or by a 429 whose `retry-after` the step's
 * retry policy does not wait out, sleeps until then and runs again, instead of failing the run. The
 * wait is logged and shown under the step (a countdown in the live view); Ctrl-C cuts it short and
 * the run is cancelled as usual (exit 130), resumable: the step was recorded `rate_limited`.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {classify} from '../plugins/failures.js'
import type {RunContext} from './context.js'
import {label, now, type StepRef} from './journal.js'

/** How long to wait for a reset, and why. */
export interface QuotaWait {
  delayMs: number
  /** When the limit resets (ISO). */
  until: string
  /** `usage limit` or `rate limit (429, retry-after 90 s)`. */
  reason: string
}

/** Waits per step run: a limit still in force after three resets is not waited for again. */
export const MAX_QUOTA_WAITS = 3

/** Slack after the announced reset: the other side's clock and ours differ a little. */
const GRACE_MS = 1000

/** The wait a failed attempt asks for under --wait-for-quota; undefined when it names no reset time (or is another failure). */
export function quotaWait(error: unknown, at = Date.now()): QuotaWait | undefined {
  const f = classify(error)
  let resetAt: number | undefined
  let reason: string
  if (f.kind === 'quota') {
    const parsed = f.resetsAt === undefined ? Number.NaN : Date.parse(f.resetsAt)
    resetAt = !Number.isNaN(parsed) ? parsed : f.retryAfterMs !== undefined ? at + f.retryAfterMs : undefined
    reason = 'usage limit'
  } else if (f.kind === 'rate_limit' && f.retryAfterMs !== undefined) {
    resetAt = at + f.retryAfterMs
    reason = `rate limit (${f.status ?? 429}, retry-after ${(f.retryAfterMs / 1000).toFixed(0)} s)`
  } else return undefined
  if (resetAt === undefined) return undefined
  const delayMs = Math.max(0, resetAt - at) + GRACE_MS
  return {delayMs, until: new Date(at + delayMs).toISOString(), reason}
}

/**
 * Logs the wait, tells the view (`step:wait`) and sleeps; false when Ctrl-C (or failFast) cut it
 * short. `attempt`: the step run that follows the wait.
 */
export async function waitForReset(ctx: RunContext, ref: StepRef, wait: QuotaWait, attempt: number): Promise<boolean> {
  const {journal} = ctx
  const inHow = `${(wait.delayMs / 1000).toFixed(1)} s`
  journal.log('WARNING', 'state_change', `Step ${ref.stepId}${label(ref, false)}: ${wait.reason} reached; waiting until ${wait.until} (${inHow}) to run it again (--wait-for-quota; Ctrl-C stops, the run stays resumable)`, {until: wait.until, delayMs: wait.delayMs, reason: wait.reason, attempt}, ref.stepId, ref.iteration)
  await journal.flush()
  journal.emit({type: 'step:wait', adwId: ctx.adwId, stepId: ref.stepId, iteration: ref.iteration, ...(ref.index !== undefined ? {index: ref.index} : {}), attempt, until: wait.until, delayMs: wait.delayMs, reason: wait.reason, time: now()})
  try {
    await sleep(wait.delayMs, undefined, {signal: ctx.stop})
    return true
  } catch {
    return false
  }
}
