/**
 * Approval gates in SQLite: one row per gate reached (step and iteration), decided exactly once.
 * A decision is one IMMEDIATE transaction that re-reads the run and the row, so of two people
 * approving at once exactly one wins and the other is told who did.
 */
import type {StatementSync} from 'node:sqlite'

import {decidedMeanwhile, gateToDecide} from './approval-rules.js'
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
      const gate = gateToDecide(d, run, run ? this.list(d.adwId) : [], this.path)
      const {changes} = this.stmt('UPDATE approvals SET decision = ?, decided_by = ?, decided_at = ?, comment = ?, decided_via = ? WHERE id = ? AND decision IS NULL').run(
        d.decision,
        d.by,
        now(),
        d.comment ?? null,
        d.via ?? 'cli',
        gate.id,
      )
      if (Number(changes) !== 1) throw decidedMeanwhile(d, gate)
      return this.get(d.adwId, gate.step_id, gate.iteration)!
    })
  }
}

export type {ApprovalDecision}
