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

  observe(e: EngineEvent): void {
    if (e.type === 'step:end') {
      if (e.status !== 'skipped' && !this.groups.has(e.stepId)) this.steps++
    } else if (e.type === 'run:start') {
      this.adwId ??= e.adwId
      collectGroups(e.outline, this.groups)
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
      default:
        return `• run ${e.adwId} ${e.status} after ${stats}${err}`
    }
  }

  /** The lines printed under the summary: where the logs are, and how to continue a run that did not succeed. */
  hints(): string[] {
    if (!this.adwId) return []
    const hints = [`logs: adw logs ${this.adwId}`]
    if (this.end && this.end.status !== 'succeeded') hints.push(`resume: adw run --resume --adw-id ${this.adwId}`)
    return hints
  }
}

function collectGroups(steps: OutlineStep[], into: Set<string>): void {
  for (const s of steps) {
    if (!s.loop) continue
    into.add(s.id)
    collectGroups(s.loop.steps, into)
  }
}
