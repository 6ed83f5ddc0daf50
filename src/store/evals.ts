/**
 * Evaluation suites in SQLite (see eval-types.ts): the `evals` row and its `eval_runs`, one per
 * trial. Every write is one statement or one IMMEDIATE transaction, so parallel trials of an
 * eval, and another process reading the report, never see half a change.
 */
import {hostname} from 'node:os'
import type {StatementSync} from 'node:sqlite'

import {AdwError} from '../errors.js'
import {evalRunPatchSql} from './eval-patch.js'
import type {EvalRow, EvalRunPatch, EvalRunRow, EvalStatus, NewEval, NewEvalRun} from './eval-types.js'

const now = (): string => new Date().toISOString()

type Tx = <T>(fn: () => T) => T

export class EvalQueries {
  constructor(
    private readonly stmt: (sql: string) => StatementSync,
    private readonly tx: Tx,
  ) {}

  create(e: NewEval, variants: NewEvalRun[]): void {
    this.tx(() => {
      if (this.get(e.evalId)) throw new AdwError('RUN_EXISTS', `an eval with id ${e.evalId} already exists`, {suggestions: [`continue it: adw eval <suite.yaml> --resume ${e.evalId}`]})
      this.stmt(
        `INSERT INTO evals (eval_id, suite_name, suite_file, suite_snapshot, options, status, pid, host, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      ).run(e.evalId, e.suiteName, e.suiteFile, e.suiteSnapshot, JSON.stringify(e.options), process.pid, hostname(), now())
      const insert = this.stmt(`INSERT INTO eval_runs (eval_id, run_key, position, case_id, pipeline, model, repeat, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`)
      for (const v of variants) insert.run(e.evalId, v.runKey, v.position, v.caseId, v.pipeline, v.model, v.repeat)
    })
  }

  get(evalId: string): EvalRow | undefined {
    return this.stmt('SELECT * FROM evals WHERE eval_id = ?').get(evalId) as EvalRow | undefined
  }

  list(limit = 100): EvalRow[] {
    return this.stmt('SELECT * FROM evals ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as unknown as EvalRow[]
  }

  setStatus(evalId: string, status: EvalStatus, error: string | null = null): void {
    const r =
      status === 'running'
        ? this.stmt(`UPDATE evals SET status = 'running', pid = ?, host = ?, finished_at = NULL, error = NULL WHERE eval_id = ?`).run(process.pid, hostname(), evalId)
        : this.stmt('UPDATE evals SET status = ?, finished_at = ?, error = ? WHERE eval_id = ?').run(status, now(), error, evalId)
    if (Number(r.changes) === 0) throw new AdwError('RUN_NOT_FOUND', `No eval with id "${evalId}".`, {suggestions: ['adw eval list']})
  }

  runs(evalId: string): EvalRunRow[] {
    return this.stmt('SELECT * FROM eval_runs WHERE eval_id = ? ORDER BY position').all(evalId) as unknown as EvalRunRow[]
  }

  update(evalId: string, runKey: string, p: EvalRunPatch): void {
    const {sets, values} = evalRunPatchSql(p)
    const r = this.stmt(`UPDATE eval_runs SET ${sets} WHERE eval_id = ? AND run_key = ?`).run(...values, evalId, runKey)
    if (Number(r.changes) === 0) throw new AdwError('RUN_NOT_FOUND', `No run "${runKey}" in eval "${evalId}".`)
  }

  ofRun(adwId: string): {evalId: string; runKey: string} | undefined {
    const row = this.stmt('SELECT eval_id, run_key FROM eval_runs WHERE adw_id = ? OR judge_adw_id = ? LIMIT 1').get(adwId, adwId) as {eval_id: string; run_key: string} | undefined
    return row ? {evalId: row.eval_id, runKey: row.run_key} : undefined
  }
}
