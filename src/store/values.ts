import type {LogLevel, LogType} from '../plugins/types.js'
import type {RunStatus, StepStatus} from './types.js'

/** Log levels, least severe first (the order `--level` filters by). */
export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']

export const LOG_TYPES: readonly LogType[] = ['milestone', 'state_change', 'tool_call', 'cost_update', 'performance', 'error', 'output']

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'waiting', 'budget_exceeded', 'queued']

export const STEP_STATUSES: readonly StepStatus[] = ['running', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted', 'waiting', 'budget_exceeded', 'rate_limited']

/** The given level and every more severe one. */
export function levelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(level))
}
