import type {EngineEvent, OutlineStep} from '../engine/events.js'
import {totalTokens} from '../engine/usage.js'
import {formatCost, formatDuration, formatTokens, oneLine} from './format.js'

type RunEnd = Extract<EngineEvent, {type: 'run:end'}>

/** Counts what a run did, cheaply, for the final summary line. */
export class RunTally {
  adwId?: string
  /** Step executions that ran (loop iterations count each time; skipped and loop groups don't). */
  steps = 0
  end?: RunEnd
  private groups = new Set<string>()
  /** What happened, in order, for the story line: outcomes worth telling, loops, failures. */
  private events: string[] = []
  private known = new Set<string>()

  observe(e: EngineEvent): void {
    if (e.type === 'step:end') {
      // (a fan-out step's own end, after its items: the items were counted)
      if (e.status !== 'skipped' && !this.groups.has(e.stepId) && e.items === undefined) this.steps++
      // (cheap for the common case, a step that simply succeeded: quiet runs of 10,000 steps)
      const verdict = e.outcome !== undefined && e.outcome.startsWith('verdict ')
      if ((e.status === 'failed' || verdict) && this.known.has(e.stepId)) {
        const name = e.iteration > 0 ? `${e.stepId}#${e.iteration}` : e.stepId
        this.events.push(e.status === 'failed' ? `${name} failed` : `${name}: ${e.outcome}`)
      }
    } else if (e.type === 'loop:end' && this.known.has(e.stepId)) {
      const how = {satisfied: 'until held', exhausted: 'exhausted', failed: 'failed', cancelled: 'cancelled', skipped: 'skipped'}[e.outcome]
      if (e.outcome === 'skipped') this.events.push(`${e.stepId} skipped`)
      else this.events.push(`${e.stepId}: ${e.iterations} ${e.iterations === 1 ? 'attempt' : 'attempts'}, ${how}`)
    } else if (e.type === 'run:start') {
      this.adwId ??= e.adwId
      collectGroups(e.outline, this.groups)
      collectIds(e.outline, this.known)
    } else if (e.type === 'run:end') {
      this.adwId ??= e.adwId
      this.end = e
    }
  }

  /** `✔ run feat-42 succeeded in 12.3s · 4 steps · 31.0k tokens · $0.12`, or undefined before any run started. */
  summary(): string | undefined {
    if (!this.adwId) return undefined
    const steps = `${this.steps} ${this.steps === 1 ? 'step' : 'steps'}`
    const e = this.end
    if (!e) return `✖ run ${this.adwId} stopped before it finished · ${steps}`
    const parts = [`${formatDuration(e.durationMs)}`, steps]
    const tokens = totalTokens(e.totals)
    if (tokens > 0) parts.push(`${formatTokens(tokens)} tokens`)
    if (e.totals?.costUsd > 0) parts.push(formatCost(e.totals.costUsd))
    const stats = parts.join(' · ')
    const err = e.error && e.error !== e.status ? `: ${oneLine(e.error, 300)}` : ''
    switch (e.status) {
      case 'succeeded':
        return `✔ run ${e.adwId} succeeded in ${stats}`
      case 'failed':
        return `✖ run ${e.adwId} failed after ${stats}${err}`
      case 'cancelled':
      case 'interrupted':
        return `⚠ run ${e.adwId} ${e.status} after ${stats}${err}`
      case 'waiting':
        return `⏸ run ${e.adwId} waiting for approval after ${stats}`
      case 'budget_exceeded':
        return `⚠ run ${e.adwId} stopped by its budget after ${stats}${err}`
      default:
        return `• run ${e.adwId} ${e.status} after ${stats}${err}`
    }
  }

  /** One line that tells what happened (`review: verdict FAIL, 2 issues → fix loop: 2 attempts, until held`), when there is more than a row of ✔. */
  story(): string[] {
    // the summary line already names the step that failed the run
    const told = this.end?.error ?? ''
    const events = this.events.filter(ev => !(ev.endsWith(' failed') && told.includes(`step ${ev.slice(0, -' failed'.length).replace(/#\d+$/, '')} failed`)))
    return events.length > 0 ? [`  ${events.join(' → ')}`] : []
  }

  /** The lines printed under the summary: where the logs are, and how to continue a run that did not succeed. */
  hints(): string[] {
    if (!this.adwId) return []
    const hints = [`logs: adw logs ${this.adwId}`]
    if (this.end && this.end.status !== 'succeeded' && this.end.status !== 'waiting' && this.end.status !== 'budget_exceeded') hints.push(`resume: adw run --resume --adw-id ${this.adwId}`)
    return hints
  }
}

function collectIds(steps: OutlineStep[], into: Set<string>): void {
  for (const s of steps) {
    into.add(s.id)
    if (s.loop) collectIds(s.loop.steps, into)
  }
}

function collectGroups(steps: OutlineStep[], into: Set<string>): void {
  for (const s of steps) {
    if (!s.loop) continue
    into.add(s.id)
    collectGroups(s.loop.steps, into)
  }
}
