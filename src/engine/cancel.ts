import {StepFailure} from '../plugins/failures.js'

/**
 * The reason a step is stopped by Ctrl-C, SIGTERM or failFast: a failure of kind `cancelled`, which
 * no retry policy retries (not even `on: [any]`), whatever an executor does with the reason (rethrow
 * it, wrap it as a cause, classify it). The message is the one users saw before it was typed.
 */
export function cancelReason(message = 'cancelled'): StepFailure {
  return new StepFailure('cancelled', message)
}

/** Why the executors of a run are stopped: its cancel (Ctrl-C), else its stop (failFast) with that stop's reason. */
export function stepStopReason(signal: AbortSignal, stop: AbortSignal): StepFailure {
  return signal.aborted ? cancelReason() : cancelReason(`cancelled (${(stop.reason as Error | undefined)?.message ?? 'stopped'})`)
}
