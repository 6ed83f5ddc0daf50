// Short words for a step's needs, forEach and retry, shared by `adw pipelines show`, `adw validate`
// and `adw run --dry-run`; a pipeline that uses none of them reads exactly as before they existed.
import {RETRY_DEFAULTS} from './retry-policy.js'
import type {ActionStep, Pipeline, RetryPolicy, Step} from './types.js'

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)

/** Whether any step (loop bodies included) has `needs:` written: then views show every step's needs. */
export function usesNeeds(p: Pipeline): boolean {
  return allSteps(p.steps).some(s => s.explicitNeeds)
}

/** Every step, loop bodies after their loop. */
export function allSteps(steps: Step[]): Step[] {
  return steps.flatMap(s => (s.kind === 'loop' ? [s, ...s.steps] : [s]))
}

/** `plan, build`, or `(starts at once)`. */
export function needsLabel(s: Step): string {
  return s.needs.length > 0 ? s.needs.join(', ') : '(starts at once)'
}

/** `forEach: steps.plan.outputs.tasks (at most 100 items)`. */
export function forEachLabel(s: ActionStep): string | undefined {
  return s.forEach ? `forEach: ${s.forEach.items.source} (at most ${s.forEach.maxItems} items)` : undefined
}

/** `retry: 3 attempts on rate_limit, overloaded, server, network; backoff 1s ×2 up to 60s`. */
export function retryLabel(policy: RetryPolicy | undefined): string | undefined {
  if (!policy) return undefined
  const {initialMs, factor, maxMs} = policy.backoff
  const on = policy.on.join(', ')
  const defaults = policy.on === RETRY_DEFAULTS.on || on === RETRY_DEFAULTS.on.join(', ')
  return `retry: ${policy.maxAttempts} attempts on ${on}${defaults ? ' (the default)' : ''}; backoff ${seconds(initialMs)} ×${factor} up to ${seconds(maxMs)}`
}

/** One line on how the pipeline runs, when it is more than top to bottom: `Runs up to 4 steps at once; failFast`. */
export function scheduleLine(p: Pipeline): string | undefined {
  const steps = allSteps(p.steps)
  const parallel = usesNeeds(p) || steps.some(s => s.kind === 'action' && s.forEach)
  if (!parallel && !p.failFast) return undefined
  return `Runs up to ${p.concurrency} step${p.concurrency === 1 ? '' : 's'} at once${p.failFast ? '; failFast: the first failure stops the run' : '; a failed step skips what needs it, other branches go on'}`
}

/** The `adw validate` summary of a valid pipeline that uses needs, forEach or retry; undefined otherwise. */
export function validateSummary(p: Pipeline): string | undefined {
  const steps = allSteps(p.steps)
  const fan = steps.filter(s => s.kind === 'action' && s.forEach).map(s => s.id)
  const retry = steps.filter(s => s.kind === 'action' && s.retry).map(s => s.id)
  const needs = usesNeeds(p)
  if (!needs && fan.length === 0 && retry.length === 0 && !p.failFast) return undefined
  const first = p.steps.filter(s => s.needs.length === 0).map(s => s.id)
  const parts = [
    `${steps.length} steps`,
    needs ? `${first.length > 1 ? `${first.join(', ')} start at once` : `starts with ${first.join(', ')}`}, up to ${p.concurrency} at once` : undefined,
    p.failFast ? 'failFast' : undefined,
    fan.length ? `forEach: ${fan.join(', ')}` : undefined,
    retry.length ? `retry: ${retry.join(', ')}` : undefined,
  ]
  return parts.filter(Boolean).join('; ')
}
