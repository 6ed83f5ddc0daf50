/**
 * Evaluation suites in the store: one `evals` row per `adw eval`, one `eval_runs` row per trial
 * (one case run by one variant — a pipeline × model — once per repeat). A trial's run is an ordinary `runs` row (adw_id); the
 * eval only tags it, so `adw logs`, `adw ui` and `adw run --resume` work on it as on any run.
 */

/** `running` while its process lives (else shown `interrupted`); `budget_exceeded`: --max-usd stopped it; resumable unless `completed`. */
export type EvalStatus = 'running' | 'completed' | 'budget_exceeded' | 'cancelled' | 'failed'

/**
 * `pending`: not started. `running`: its run is under way. `passed` / `failed`: the run ended and
 * the checks decided. `error`: the run could not end (its pipeline failed to start, an internal
 * error); counted as a failure. `budget_exceeded` / `cancelled`: stopped, run again on resume.
 */
export type EvalRunStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'budget_exceeded' | 'cancelled'

/** A row of `evals`. */
export interface EvalRow {
  eval_id: string
  suite_name: string
  /** The suite file's absolute path. */
  suite_file: string
  /** The suite file's text when the eval started (a resume reads this, not the file). */
  suite_snapshot: string
  /** JSON: the options in force (pipelines with their texts, models, repeat, concurrency, maxUsd). */
  options: string
  status: EvalStatus
  pid: number | null
  host: string | null
  started_at: string
  finished_at: string | null
  error: string | null
}

/** A row of `eval_runs`: one trial (a case × pipeline × model × repeat). */
export interface EvalRunRow {
  eval_id: string
  /** `case · pipeline · model · #repeat`, unique in the eval. */
  run_key: string
  /** 0-based position in the eval's trial list (the order of the report). */
  position: number
  case_id: string
  pipeline: string
  model: string
  repeat: number
  status: EvalRunStatus
  /** The trial's run (null before it starts). */
  adw_id: string | null
  /** The judge's own run, when the case has a judge. */
  judge_adw_id: string | null
  /** The isolated folder the run works in; kept until the trial is decided. */
  workspace: string | null
  /** JSON array of CheckResult. */
  checks: string | null
  error: string | null
  started_at: string | null
  finished_at: string | null
}

export interface NewEval {
  evalId: string
  suiteName: string
  suiteFile: string
  suiteSnapshot: string
  options: Record<string, unknown>
}

export interface NewEvalRun {
  runKey: string
  position: number
  caseId: string
  pipeline: string
  model: string
  repeat: number
}

/** What changes on a trial as it runs; absent fields stay as they are. */
export interface EvalRunPatch {
  status: EvalRunStatus
  adwId?: string | null
  judgeAdwId?: string | null
  workspace?: string | null
  checks?: unknown[] | null
  error?: string | null
}

/** The store's part for evals (both backends implement it). */
export interface EvalStore {
  /** The eval and its pending trials, in one transaction. Throws RUN_EXISTS if the id is taken. */
  createEval(e: NewEval, variants: NewEvalRun[]): Promise<void>
  getEval(evalId: string): Promise<EvalRow | undefined>
  /** Newest first. */
  listEvals(query?: {limit?: number}): Promise<EvalRow[]>
  /** Sets the status; `running` also records this process (pid, host) as the eval's driver, other statuses set finished_at. */
  setEvalStatus(evalId: string, status: EvalStatus, error?: string | null): Promise<void>
  /** The eval's trials in their order. */
  listEvalRuns(evalId: string): Promise<EvalRunRow[]>
  /** `running` sets started_at, a decided status finished_at. */
  updateEvalRun(evalId: string, runKey: string, patch: EvalRunPatch): Promise<void>
  /** The eval a run belongs to (as a trial or its judge), if any. */
  evalOfRun(adwId: string): Promise<{evalId: string; runKey: string} | undefined>
}
