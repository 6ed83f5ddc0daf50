/**
 * Which pending gate a decision applies to, or why it may not be made: the rules both stores apply
 * inside their deciding transaction (pure: the caller reads the run and its gates, then updates the
 * gate returned with `WHERE decision IS NULL`, so of two deciders exactly one wins).
 */
import {AdwError} from '../errors.js'
import type {ApprovalRow, Decide} from './types.js'

/**
 * The gate `d` decides. APPROVAL_INVALID (exit 2, nothing changed) for a run that is not waiting, a
 * gate already decided (naming who and when), a step that is not a pending gate, a gate past its
 * timeout, or a name not among the gate's approvers; RUN_NOT_FOUND for an unknown run (`run` undefined).
 */
export function gateToDecide(d: Decide, run: {status: string} | undefined, gates: ApprovalRow[], location: string, at = new Date().toISOString()): ApprovalRow {
  if (!run) throw new AdwError('RUN_NOT_FOUND', `No run with adw_id "${d.adwId}" in ${location}.`, {suggestions: ['adw runs --status waiting lists the runs waiting for a decision']})
  const pending = gates.filter(g => g.decision === null && (d.stepId === undefined || g.step_id === d.stepId))
  const verb = d.decision === 'approved' ? 'approve' : 'reject'
  if (pending.length === 0) {
    const last = [...gates].reverse().find(g => d.stepId === undefined || g.step_id === d.stepId)
    if (last?.decision && run.status !== 'waiting') {
      throw invalid(`Run "${d.adwId}" is not waiting for a decision: step ${last.step_id} was already ${last.decision} by ${last.decided_by} at ${last.decided_at}${last.decided_via === 'timeout' ? ' (its timeout expired)' : ''}; nothing was changed.`, d)
    }
    if (last?.decision) throw invalid(`Step ${last.step_id} of run "${d.adwId}" was already ${last.decision} by ${last.decided_by} at ${last.decided_at}; nothing was changed.`, d)
    const where = d.stepId !== undefined ? ` at step ${d.stepId}${gates.length ? ` (its gates: ${[...new Set(gates.map(g => g.step_id))].join(', ')})` : ''}` : ''
    throw invalid(`Run "${d.adwId}" is not waiting for a decision${where} (status: ${run.status}); nothing was changed.`, d)
  }
  if (run.status !== 'waiting') throw invalid(`Run "${d.adwId}" is not waiting for a decision (status: ${run.status}); nothing was changed.`, d)
  if (pending.length > 1) {
    throw invalid(`Run "${d.adwId}" waits at ${pending.length} gates (${pending.map(g => g.step_id).join(', ')}): say which with --step; nothing was changed.`, d, pending.map(g => `adw ${verb} ${d.adwId} --step ${g.step_id}`))
  }
  const gate = pending[0]
  if (gate.timeout_at && gate.timeout_at <= at && d.via !== 'timeout') {
    throw invalid(`Step ${gate.step_id} of run "${d.adwId}" timed out at ${gate.timeout_at}; it is decided by its onTimeout (${gate.on_timeout}), not by ${verb}; nothing was changed.`, d, [`adw run --resume --adw-id ${d.adwId}  (records the timeout and continues)`])
  }
  const approvers: string[] = gate.approvers ? JSON.parse(gate.approvers) : []
  if (approvers.length && d.via !== 'timeout' && !approvers.includes(d.by)) {
    throw invalid(`${d.by} may not decide step ${gate.step_id} of run "${d.adwId}": its approvers are ${approvers.join(', ')}; nothing was changed.`, d, [`adw ${verb} ${d.adwId} --as <one of them>`])
  }
  return gate
}

/** Someone else decided between our read and our update. */
export function decidedMeanwhile(d: Decide, gate: ApprovalRow): AdwError {
  return invalid(`Step ${gate.step_id} of run "${d.adwId}" was decided by someone else just now; nothing was changed.`, d)
}

function invalid(message: string, d: Decide, suggestions?: string[]): AdwError {
  return new AdwError('APPROVAL_INVALID', message, {suggestions: suggestions ?? [`adw runs show ${d.adwId}`]})
}
