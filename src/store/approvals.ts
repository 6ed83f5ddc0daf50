/**
 * Approval gates in SQLite: one row per gate reached (step and iteration), decided exactly once.
 * A decision is one IMMEDIATE transaction that re-reads the run and the row, so of two people
 * approving at once exactly one wins and the other is told who did.
 */
import type {StatementSync} from 'node:sqlite'

import {AdwError} from '../errors.js'
import type {ApprovalDecision, ApprovalRequest, ApprovalRow, Decide} from './types.js'

const now = (): string => new Date().toISOString()

type Tx = <T>(fn: () => T) => T

export class ApprovalQueries {
  constructor(
    private readonly stmt: (sql: string) => StatementSync,
    private readonly tx: Tx,
    private readonly path: string,
  ) {}

  /** The gate's row, created the first time the gate is reached (a resumed run finds the one it made). */
  request(r: ApprovalRequest): ApprovalRow {
    return this.tx(() => {
      this.stmt(
        `INSERT INTO approvals (adw_id, step_id, iteration, message, approvers, timeout_at, on_timeout, requested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adw_id, step_id, iteration) DO NOTHING`,
      ).run(r.adwId, r.stepId, r.iteration, r.message, r.approvers?.length ? JSON.stringify(r.approvers) : null, r.timeoutAt ?? null, r.onTimeout ?? 'reject', now())
      return this.get(r.adwId, r.stepId, r.iteration)!
    })
  }

  get(adwId: string, stepId: string, iteration: number): ApprovalRow | undefined {
    return this.stmt('SELECT * FROM approvals WHERE adw_id = ? AND step_id = ? AND iteration = ?').get(adwId, stepId, iteration) as ApprovalRow | undefined
  }

  list(adwId: string): ApprovalRow[] {
    return this.stmt('SELECT * FROM approvals WHERE adw_id = ? ORDER BY id').all(adwId) as unknown as ApprovalRow[]
  }

  /**
   * Decides the run's pending gates whose timeout has passed as their `onTimeout` says (via
   * `timeout`, by `timeout`); returns the gates it decided.
   */
  expire(adwId: string, at = now()): ApprovalRow[] {
    return this.tx(() => {
      const due = (this.stmt('SELECT id FROM approvals WHERE adw_id = ? AND decision IS NULL AND timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY id').all(adwId, at) as Array<{id: number}>).map(r => r.id)
      for (const id of due) {
        this.stmt(
          `UPDATE approvals SET decision = CASE on_timeout WHEN 'approve' THEN 'approved' ELSE 'rejected' END, decided_by = 'timeout', decided_at = ?,
             decided_via = 'timeout', comment = 'no decision before ' || timeout_at WHERE id = ? AND decision IS NULL`,
        ).run(at, id)
      }
      return due.map(id => this.stmt('SELECT * FROM approvals WHERE id = ?').get(id) as unknown as ApprovalRow)
    })
  }

  /**
   * Records a decision on the run's pending gate (the one named by `stepId`, or the only one), in one
   * transaction. APPROVAL_INVALID (exit 2, nothing changed) for an unknown run, a run that is not
   * waiting, a gate already decided (naming who and when), a step that is not a pending gate, or a
   * name not among the gate's approvers.
   */
  decide(d: Decide): ApprovalRow {
    return this.tx(() => {
      const run = this.stmt('SELECT status FROM runs WHERE adw_id = ?').get(d.adwId) as {status: string} | undefined
      if (!run) throw new AdwError('RUN_NOT_FOUND', `No run with adw_id "${d.adwId}" in ${this.path}.`, {suggestions: ['adw runs --status waiting lists the runs waiting for a decision']})
      const gates = this.list(d.adwId)
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
      if (gate.timeout_at && gate.timeout_at <= now() && d.via !== 'timeout') {
        throw invalid(`Step ${gate.step_id} of run "${d.adwId}" timed out at ${gate.timeout_at}; it is decided by its onTimeout (${gate.on_timeout}), not by ${verb}; nothing was changed.`, d, [`adw run --resume --adw-id ${d.adwId}  (records the timeout and continues)`])
      }
      const approvers: string[] = gate.approvers ? JSON.parse(gate.approvers) : []
      if (approvers.length && d.via !== 'timeout' && !approvers.includes(d.by)) {
        throw invalid(`${d.by} may not decide step ${gate.step_id} of run "${d.adwId}": its approvers are ${approvers.join(', ')}; nothing was changed.`, d, [`adw ${verb} ${d.adwId} --as <one of them>`])
      }
      const {changes} = this.stmt('UPDATE approvals SET decision = ?, decided_by = ?, decided_at = ?, comment = ?, decided_via = ? WHERE id = ? AND decision IS NULL').run(
        d.decision,
        d.by,
        now(),
        d.comment ?? null,
        d.via ?? 'cli',
        gate.id,
      )
      if (Number(changes) !== 1) throw invalid(`Step ${gate.step_id} of run "${d.adwId}" was decided by someone else just now; nothing was changed.`, d)
      return this.get(d.adwId, gate.step_id, gate.iteration)!
    })
  }
}

function invalid(message: string, d: Decide, suggestions?: string[]): AdwError {
  return new AdwError('APPROVAL_INVALID', message, {suggestions: suggestions ?? [`adw runs show ${d.adwId}`]})
}

export type {ApprovalDecision}
