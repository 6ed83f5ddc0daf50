/**
 * Evaluation suites on Postgres (see eval-types.ts): the SQLite store's EvalQueries in Postgres's
 * dialect. The eval and its trials are inserted in one transaction; the id check is the INSERT's
 * own ON CONFLICT, so two `adw eval --id X` at once cannot both create it.
 */
import {hostname} from 'node:os'

import {AdwError} from '../../errors.js'
import {evalRunPatchSql} from '../eval-patch.js'
import type {EvalRow, EvalRunPatch, EvalRunRow, EvalStatus, NewEval, NewEvalRun} from '../eval-types.js'
import type {Db} from './db.js'

const now = (): string => new Date().toISOString()

export class PgEvals {
  constructor(private readonly db: Db) {}

  async create(e: NewEval, variants: NewEvalRun[]): Promise<void> {
    await this.db.tx(async q => {
      const {rowCount} = await q(
        `INSERT INTO evals (eval_id, suite_name, suite_file, suite_snapshot, options, status, pid, host, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)
         ON CONFLICT (eval_id) DO NOTHING`,
        [e.evalId, e.suiteName, e.suiteFile, e.suiteSnapshot, JSON.stringify(e.options), process.pid, hostname(), now()],
      )
      if (rowCount === 0) throw new AdwError('RUN_EXISTS', `an eval with id ${e.evalId} already exists`, {suggestions: [`continue it: adw eval <suite.yaml> --resume ${e.evalId}`]})
      if (variants.length === 0) return
      // One statement for all trials: a column array each, unnested.
      await q(
        `INSERT INTO eval_runs (eval_id, run_key, position, case_id, pipeline, model, repeat, status)
         SELECT ?, k, p, c, pl, m, r, 'pending' FROM unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::int[]) AS t (k, p, c, pl, m, r)`,
        [e.evalId, variants.map(v => v.runKey), variants.map(v => v.position), variants.map(v => v.caseId), variants.map(v => v.pipeline), variants.map(v => v.model), variants.map(v => v.repeat)],
      )
    })
  }

  async get(evalId: string): Promise<EvalRow | undefined> {
    return (await this.db.query<EvalRow>('SELECT * FROM evals WHERE eval_id = ?', [evalId])).rows[0]
  }

  async list(limit = 100): Promise<EvalRow[]> {
    return (await this.db.query<EvalRow>('SELECT * FROM evals ORDER BY started_at DESC, eval_id DESC LIMIT ?', [limit])).rows
  }

  async setStatus(evalId: string, status: EvalStatus, error: string | null = null): Promise<void> {
    const q = this.db.query
    const r =
      status === 'running'
        ? await q(`UPDATE evals SET status = 'running', pid = ?, host = ?, finished_at = NULL, error = NULL WHERE eval_id = ?`, [process.pid, hostname(), evalId])
        : await q('UPDATE evals SET status = ?, finished_at = ?, error = ? WHERE eval_id = ?', [status, now(), error, evalId])
    if (r.rowCount === 0) throw new AdwError('RUN_NOT_FOUND', `No eval with id "${evalId}".`, {suggestions: ['adw eval list']})
  }

  async runs(evalId: string): Promise<EvalRunRow[]> {
    return (await this.db.query<EvalRunRow>('SELECT * FROM eval_runs WHERE eval_id = ? ORDER BY position', [evalId])).rows
  }

  async update(evalId: string, runKey: string, p: EvalRunPatch): Promise<void> {
    const {sets, values} = evalRunPatchSql(p)
    const r = await this.db.query(`UPDATE eval_runs SET ${sets} WHERE eval_id = ? AND run_key = ?`, [...values, evalId, runKey])
    if (r.rowCount === 0) throw new AdwError('RUN_NOT_FOUND', `No run "${runKey}" in eval "${evalId}".`)
  }

  async ofRun(adwId: string): Promise<{evalId: string; runKey: string} | undefined> {
    const row = (await this.db.query<{eval_id: string; run_key: string}>('SELECT eval_id, run_key FROM eval_runs WHERE adw_id = ? OR judge_adw_id = ? LIMIT 1', [adwId, adwId])).rows[0]
    return row ? {evalId: row.eval_id, runKey: row.run_key} : undefined
  }
}
