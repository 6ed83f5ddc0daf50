/**
 * Approval gates on Postgres: one row per gate reached, decided at most once. The deciding
 * transaction locks the run's row (SELECT … FOR UPDATE), so of two `adw approve` at once the second
 * reads the first's decision; the update's `WHERE decision IS NULL` makes that so even without it.
 */
import {decidedMeanwhile, gateToDecide} from '../approval-rules.js'
import type {ApprovalRequest, ApprovalRow, Decide} from '../types.js'
import {DURABLE, type Db, type Query} from './db.js'

const now = (): string => new Date().toISOString()

export class PgApprovals {
  constructor(private readonly db: Db, private readonly location: string) {}

  async request(r: ApprovalRequest): Promise<ApprovalRow> {
    return this.db.tx(async q => {
      await q(
        `INSERT INTO approvals (adw_id, step_id, iteration, message, approvers, timeout_at, on_timeout, requested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adw_id, step_id, iteration) DO NOTHING`,
        [r.adwId, r.stepId, r.iteration, r.message, r.approvers?.length ? JSON.stringify(r.approvers) : null, r.timeoutAt ?? null, r.onTimeout ?? 'reject', now()],
      )
      return (await this.get(r.adwId, r.stepId, r.iteration, q))!
    })
  }

  async get(adwId: string, stepId: string, iteration: number, q: Query = this.db.query): Promise<ApprovalRow | undefined> {
    return (await q<ApprovalRow>('SELECT * FROM approvals WHERE adw_id = ? AND step_id = ? AND iteration = ?', [adwId, stepId, iteration])).rows[0]
  }

  async list(adwId: string, q: Query = this.db.query): Promise<ApprovalRow[]> {
    return (await q<ApprovalRow>('SELECT * FROM approvals WHERE adw_id = ? ORDER BY id', [adwId])).rows
  }

  /** Decides the run's pending gates whose timeout has passed as their `onTimeout` says; returns them. */
  async expire(adwId: string, at = now()): Promise<ApprovalRow[]> {
    return this.db.tx(async q => {
      const {rows} = await q<ApprovalRow>(
        `UPDATE approvals SET decision = CASE on_timeout WHEN 'approve' THEN 'approved' ELSE 'rejected' END, decided_by = 'timeout', decided_at = ?,
           decided_via = 'timeout', comment = 'no decision before ' || timeout_at
         WHERE adw_id = ? AND decision IS NULL AND timeout_at IS NOT NULL AND timeout_at <= ? RETURNING *`,
        [at, adwId, at],
      )
      return rows.sort((a, b) => a.id - b.id)
    })
  }

  /** Records a decision on the run's pending gate (see gateToDecide for what is refused). */
  async decide(d: Decide): Promise<ApprovalRow> {
    return this.db.tx(async q => {
      await q(DURABLE)
      const run = (await q<{status: string}>('SELECT status FROM runs WHERE adw_id = ? FOR UPDATE', [d.adwId])).rows[0]
      const gate = gateToDecide(d, run, run ? await this.list(d.adwId, q) : [], this.location)
      const {rows} = await q<ApprovalRow>(
        'UPDATE approvals SET decision = ?, decided_by = ?, decided_at = ?, comment = ?, decided_via = ? WHERE id = ? AND decision IS NULL RETURNING *',
        [d.decision, d.by, now(), d.comment ?? null, d.via ?? 'cli', gate.id],
      )
      if (rows.length !== 1) throw decidedMeanwhile(d, gate)
      return rows[0]
    })
  }
}
