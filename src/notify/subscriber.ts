/**
 * The run's notifier: gathers what a notification says from the engine's events and, when an event a
 * target asked for happens, sends it in the background. Each attempt becomes a row of the run's log
 * (agent `notify`, visible in `adw logs`); the run waits for deliveries only at its very end, and a
 * target that is down never changes how the run ended.
 */
import type {EngineEvent} from '../engine/events.js'
import type {Subscriber} from '../engine/fanout.js'
import {deliver, type AttemptRecord, type DeliverOptions} from './deliver.js'
import {buildPayload, type RunFacts} from './payload.js'
import type {NotifyTarget} from './resolve.js'
import type {NotifyEvent} from './schema.js'

/** run:end status → event. `waiting` and `budget_exceeded` are the statuses approvals and budgets give a run. */
const RUN_EVENTS: Record<string, NotifyEvent> = {
  succeeded: 'run.succeeded',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
  interrupted: 'run.failed',
  waiting: 'run.waiting',
  budget_exceeded: 'budget.exceeded',
}

export interface NotifierOptions extends DeliverOptions {
  targets: NotifyTarget[]
  uiUrl?: string
  /** Records one attempt (a row of the run's log). */
  record(attempt: AttemptRecord): void
}

export function createNotifier(opts: NotifierOptions): Subscriber {
  const pending: Promise<unknown>[] = []
  let facts: RunFacts | undefined
  let failedStep: RunFacts['step']
  /** The step run that crossed the budget. */
  let crossedAt: RunFacts['step']
  /** run.waiting was sent when the gate started to wait. */
  let waited = false

  const fire = (event: NotifyEvent, run: RunFacts) => {
    const targets = opts.targets.filter(t => t.on.has(event))
    if (!targets.length) return
    const payload = buildPayload(event, run, {uiUrl: opts.uiUrl, version: opts.version})
    for (const t of targets) pending.push(deliver(t, payload, a => safely(() => opts.record(a)), opts).catch(() => false))
  }

  return {
    onEvent(e: EngineEvent) {
      switch (e.type) {
        case 'run:start':
          facts = {adwId: e.adwId, pipeline: e.pipeline, workingDir: e.workingDir, startedAt: e.time, status: 'running', totals: {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0}}
          return
        case 'run:waiting':
          // The gate waits (under --wait too, where no run:end follows until someone decides).
          if (!facts) return
          waited = true
          fire('run.waiting', {...facts, status: 'waiting', durationMs: Date.parse(e.time) - Date.parse(facts.startedAt ?? e.time), approval: {step: e.stepId, message: e.message, commands: e.commands}})
          return
        case 'step:end':
          if (e.status === 'budget_exceeded' && facts) crossedAt = {id: e.stepId, iteration: e.iteration, ...(e.error ? {error: e.error} : {})}
          if (e.status !== 'failed' || !facts) return
          failedStep = {id: e.stepId, iteration: e.iteration, ...(e.error ? {error: e.error} : {})}
          fire('step.failed', {...facts, step: failedStep})
          return
        case 'run:end': {
          const event = RUN_EVENTS[e.status]
          if (!event || !facts || (event === 'run.waiting' && waited)) return
          const {inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, costUsd} = e.totals
          fire(event, {
            ...facts,
            status: e.status,
            durationMs: e.durationMs,
            ...(e.error ? {error: e.error} : {}),
            totals: {inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, costUsd},
            ...(failedStep && e.status !== 'succeeded' ? {step: failedStep} : {}),
            ...(e.status === 'budget_exceeded' && crossedAt ? {step: crossedAt} : {}),
            ...(e.crossing ? {budget: {kind: e.crossing.kind, spent: e.crossing.spent, limit: e.crossing.limit, ...(e.crossing.step ? {step: e.crossing.step} : {})}} : {}),
            ...(e.waiting ? {approval: {step: e.waiting.stepId, message: e.waiting.message, commands: e.waiting.commands}} : {}),
          })
          return
        }
      }
    },
    async close() {
      await Promise.allSettled(pending)
    },
  }
}

function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // recording must not break a delivery
  }
}
