import {kindOfStatus, type FailureKind} from '../failures.js'
import {howToAllow} from './args.js'
import type {ClaudeResult} from './stream.js'
import {clip} from './summary.js'

/** What Claude Code says when the key is missing or refused. */
const AUTH_TEXT = /not logged in|invalid api key|failed to authenticate|authentication_error|authentication_failed|permission_error/i

/** Whether an API status or error text means the key itself is wrong: retrying cannot help. */
export function isAuthFailure(status: unknown, text?: string): boolean {
  return status === 401 || status === 403 || (typeof text === 'string' && AUTH_TEXT.test(text))
}

/** The message for a refused key; names the variables to check, never their values. */
export function authMessage(detail: string): string {
  return (
    `Claude Code could not authenticate: ${clip(detail, 300)}. ` +
    'Check ANTHROPIC_API_KEY (or log Claude Code in with `claude /login`), and ANTHROPIC_BASE_URL if you set one.'
  )
}

/**
 * Why a result event is a failure, or undefined when it is a real success. Claude Code reports API
 * errors as `subtype: "success"` with `is_error: true`, so the subtype alone proves nothing; the text
 * comes from `result`, `errors[]`, or the synthetic assistant message that preceded the result.
 */
export function resultFailure(r: ClaudeResult, synthetic?: string): string | undefined {
  if (!isFailed(r)) return undefined
  const detail = detailOf(r, synthetic)
  const turns = `${r.num_turns ?? '?'} turns`
  const limit = usageLimit(detail)
  if (limit) {
    const when = limit.resetsAt ? `; it resets at ${limit.resetsAt}` : ''
    return `Claude Code usage limit reached${when}. Wait for the reset, or give ANTHROPIC_API_KEY (billed by usage) to run now: ${clip(detail, 300)}`
  }
  if (isAuthFailure(r.api_error_status, detail)) return authMessage(r.api_error_status ? `API status ${r.api_error_status}, ${detail}` : detail)
  if (typeof r.api_error_status === 'number') return `Claude Code failed: the API answered ${r.api_error_status} (${turns}): ${clip(detail, 2000)}`
  switch (r.subtype) {
    case 'error_max_turns':
      return `Claude Code stopped at the turn limit (${turns}; raise the step's maxTurns): ${clip(detail, 2000)}`
    case 'error_max_budget_usd':
      return `Claude Code stopped: the step's budget is spent ($${(r.total_cost_usd ?? 0).toFixed(4)}; raise maxBudgetUsd): ${clip(detail, 2000)}`
    case 'error_max_structured_output_retries':
      return `Claude Code gave no answer matching the step's schema (${turns}): ${clip(detail, 2000)}`
  }
  const why = [r.subtype && r.subtype !== 'success' ? r.subtype : 'error', r.terminal_reason && r.terminal_reason !== 'completed' ? r.terminal_reason : ''].filter(Boolean).join(', ')
  return `Claude Code failed (${why}, ${turns}): ${clip(detail, 2000)}`
}

const detailOf = (r: ClaudeResult, synthetic?: string): string =>
  [r.result, ...(r.errors ?? []).map(String), synthetic].find(t => typeof t === 'string' && t.trim())?.trim() ?? 'no details'

/** The kind of a failed result (src/plugins/failures.ts), with the API status and a quota's reset time when known. */
export function resultKind(r: ClaudeResult, synthetic?: string): {kind: FailureKind; status?: number; resetsAt?: string} {
  const detail = detailOf(r, synthetic)
  const status = typeof r.api_error_status === 'number' ? {status: r.api_error_status} : {}
  const limit = usageLimit(detail)
  if (limit) return {kind: 'quota', ...status, ...(limit.resetsAt ? {resetsAt: limit.resetsAt} : {})}
  if (isAuthFailure(r.api_error_status, detail)) return {kind: 'auth', ...status}
  if (typeof r.api_error_status === 'number') return {kind: kindOfStatus(r.api_error_status), ...status}
  if (r.subtype === 'error_max_budget_usd') return {kind: 'budget'}
  if (r.subtype === 'error_max_structured_output_retries') return {kind: 'invalid'}
  return {kind: 'other'}
}

// A subscription's usage limit, as Claude Code words it: "Claude AI usage limit reached|1749924000",
// "5-hour limit reached ∙ resets 1am", "You've hit your session limit · resets 10:30pm (Europe/Berlin)".
const USAGE_LIMIT = /usage limit reached|limit reached\s*[∙·•|]|hit your (?:[\w-]+ )?limit/i

/** Whether the text says a usage limit is reached, and when it resets (an ISO time from an epoch, else Claude Code's words). */
export function usageLimit(text: string): {resetsAt?: string} | undefined {
  if (!USAGE_LIMIT.test(text)) return undefined
  const epoch = /\|\s*(\d{10,13})\b/.exec(text)?.[1]
  if (epoch) return {resetsAt: new Date(epoch.length > 10 ? Number(epoch) : Number(epoch) * 1000).toISOString()}
  const words = /\bresets?\s+(?:at\s+)?([^\n.]*?\S)\s*(?:\.(?:\s|$)|\n|$)/i.exec(text)?.[1]
  return words ? {resetsAt: words} : {}
}

/** The failure for permission denials: every denied tool, and how to allow each. */
export function denialMessage(tools: string[]): string {
  const names = [...new Set(tools)]
  return (
    `Claude Code was denied ${names.map(t => `"${t}"`).join(', ')}, so the step did not do all it was asked. ` +
    `Allow ${names.map(t => `${t} with ${howToAllow(t)}`).join('; ')} in the step's with: block ` +
    '(a deny rule in your own Claude Code settings still wins), or set onDenied: warn to go on anyway.'
  )
}

/** Whether a result event ends a failed session, whatever its subtype says. */
export const isFailed = (r: ClaudeResult): boolean => r.is_error === true || (r.subtype !== undefined && r.subtype !== 'success')

/** The performance line of a finished session: `Claude Code failed (500): 1 turns in 0.5 s (API 0.0 s), $0.0000`. */
export function outcome(r: ClaudeResult): {failed: boolean; line: string} {
  const secs = (ms?: number) => (ms === undefined ? '?' : (ms / 1000).toFixed(1))
  const failed = isFailed(r)
  const why = [r.api_error_status, r.subtype !== 'success' ? r.subtype : '', r.terminal_reason !== 'completed' ? r.terminal_reason : ''].filter(Boolean).join(', ')
  const how = failed ? `failed (${why || 'error'})` : 'finished'
  return {failed, line: `Claude Code ${how}: ${r.num_turns ?? '?'} turns in ${secs(r.duration_ms)} s (API ${secs(r.duration_api_ms)} s), $${(r.total_cost_usd ?? 0).toFixed(4)}`}
}

/** What a subscription's usage-limit result says ("You've hit your session limit · resets 3pm", older "usage limit reached|<epoch>"). */
const USAGE_LIMIT_TEXT = /hit your (?:session |weekly |daily |monthly |usage )?limit|usage limit reached/i

/**
 * A failure for a session stopped by a usage limit (a rejected rate_limit_event, or its text in a
 * 429 result), with the reset time; kind `quota`, so the engine records the step `rate_limited` and
 * nothing retries it before the reset. Undefined for any other result.
 */
export function usageLimitFailure(r: ClaudeResult | undefined, limit: {resetsAt?: number; type?: string} | undefined, now = Date.now()): (Error & {kind: 'quota'; retryable: false; resetAt?: string; retryAfterMs?: number}) | undefined {
  const text = [r?.result, ...(r?.errors ?? []).map(String)].find(t => typeof t === 'string' && USAGE_LIMIT_TEXT.test(t))
  if (!limit && !(r?.api_error_status === 429 && text)) return undefined
  if (!limit && !text) return undefined
  const resetAt = limit?.resetsAt ? new Date(limit.resetsAt * 1000).toISOString() : undefined
  const wait = resetAt ? Math.max(0, Date.parse(resetAt) - now) : undefined
  const inHow = wait === undefined ? '' : ` (in ${wait >= 3_600_000 ? `${Math.floor(wait / 3_600_000)}h ${Math.round((wait % 3_600_000) / 60_000)}m` : `${Math.ceil(wait / 60_000)} min`})`
  const what = limit?.type ? ` (${limit.type.replace(/_/g, '-')})` : ''
  const message =
    `rate_limited: Claude Code hit its usage limit${what}${resetAt ? `; it resets at ${resetAt}${inHow}` : ''}: ${clip(text ?? r?.result ?? 'usage limit reached', 300)}. ` +
    'The step is not retried before then: resume the run after the reset (adw run --resume --adw-id <id>).'
  return Object.assign(new Error(message), {kind: 'quota' as const, retryable: false as const, ...(resetAt ? {resetAt, retryAfterMs: wait} : {})})
}
