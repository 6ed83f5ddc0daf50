import type {EvalRunPatch} from './eval-types.js'

/** Trial statuses that end a trial (it gets finished_at). */
const DECIDED = new Set(['passed', 'failed', 'error', 'budget_exceeded', 'cancelled'])

/**
 * The SET clause (with `?` placeholders) and its values for a trial's patch, shared by the SQLite
 * and Postgres stores: only the fields given change; `running` (re)starts the trial, a decided
 * status finishes it.
 */
export function evalRunPatchSql(p: EvalRunPatch): {sets: string; values: Array<string | null>} {
  const sets = ['status = ?']
  const values: Array<string | null> = [p.status]
  const put = (column: string, value: string | null | undefined) => {
    if (value === undefined) return
    sets.push(`${column} = ?`)
    values.push(value)
  }
  const now = new Date().toISOString()
  put('adw_id', p.adwId)
  put('judge_adw_id', p.judgeAdwId)
  put('workspace', p.workspace)
  put('checks', p.checks === undefined ? undefined : p.checks === null ? null : JSON.stringify(p.checks))
  put('error', p.error)
  if (p.status === 'running') put('started_at', now), sets.push('finished_at = NULL')
  if (DECIDED.has(p.status)) put('finished_at', now)
  return {sets: sets.join(', '), values}
}
