import type {LogType} from '../plugins/types.js'
import type {EngineEvent, Reporter} from './events.js'

/** A reporter that does not draw: telemetry, notifications. */
export interface Subscriber extends Reporter {
  /** Wants `log` events (the engine then emits them: RunOptions.emitLogs). */
  wantsLogs?: boolean
  /** With wantsLogs: only log rows of these types (telemetry reads cost_update and tool_call); absent: all. */
  logTypes?: ReadonlySet<LogType>
}

/**
 * One reporter for the engine that hands every event to the terminal view and to each subscriber.
 * A subscriber that throws never reaches the view or the others; `log` events go to the view only
 * when it asked for them (`--json`, `--verbose`), since subscribers may make the engine emit them.
 * `close()` lets the view finish drawing first, then waits for the subscribers (exports, webhooks).
 */
export function fanOut(view: Reporter, viewWantsLogs: boolean, subscribers: Subscriber[]): Reporter {
  if (subscribers.length === 0) return view
  const logTo = subscribers.filter(s => s.wantsLogs)
  return {
    onEvent(event: EngineEvent) {
      if (event.type === 'log') {
        if (viewWantsLogs) safely(() => view.onEvent(event))
        for (const s of logTo) if (!s.logTypes || s.logTypes.has(event.logType as LogType)) safely(() => s.onEvent(event))
        return
      }
      safely(() => view.onEvent(event))
      for (const s of subscribers) safely(() => s.onEvent(event))
    },
    async close() {
      try {
        await view.close()
      } finally {
        await Promise.allSettled(subscribers.map(s => s.close()))
      }
    },
  }
}

/** Whether any subscriber makes the engine emit log events. */
export const anyWantsLogs = (subscribers: Subscriber[]): boolean => subscribers.some(s => s.wantsLogs)

/**
 * The log events the engine must emit (RunOptions.emitLogs): all when the view or a subscriber wants
 * every row, else only the types subscribers asked for (no event is made for the others), else none.
 */
export function logsToEmit(viewWantsLogs: boolean, subscribers: Subscriber[]): boolean | ReadonlySet<LogType> {
  if (viewWantsLogs) return true
  const wanting = subscribers.filter(s => s.wantsLogs)
  if (wanting.length === 0) return false
  if (wanting.some(s => !s.logTypes)) return true
  return new Set(wanting.flatMap(s => [...s.logTypes!]))
}

function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // a subscriber must never break a run or the view
  }
}
