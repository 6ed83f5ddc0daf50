import type {DatabaseSync} from 'node:sqlite'

import {AdwError} from '../errors.js'

/**
 * Migrations, in order: migration N brings `PRAGMA user_version` from N-1 to N.
 * Append only; never edit one that has shipped.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE runs (
    adw_id                TEXT PRIMARY KEY,
    pipeline_name         TEXT NOT NULL,
    pipeline_file         TEXT NOT NULL,
    pipeline_snapshot     TEXT NOT NULL,
    inputs                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),
    working_dir           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
    current_step          TEXT,
    pid                   INTEGER,
    host                  TEXT,
    heartbeat_at          TEXT,
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    error                 TEXT
  );
  CREATE INDEX runs_status_started ON runs (status, started_at);
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE steps (
    id                    INTEGER PRIMARY KEY,
    adw_id                TEXT NOT NULL REFERENCES runs (adw_id) ON DELETE CASCADE,
    step_id               TEXT NOT NULL,
    step_name             TEXT,
    parent_id             TEXT,
    iteration             INTEGER NOT NULL DEFAULT 0,
    executor              TEXT,
    status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    model                 TEXT,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    outputs               TEXT CHECK (outputs IS NULL OR json_valid(outputs)),
    error                 TEXT,
    reason                TEXT
  );
  CREATE INDEX steps_run ON steps (adw_id, id);

  -- The Python original's contract. No foreign key on purpose: a log row is never refused.
  CREATE TABLE agent_logs (
    id          INTEGER PRIMARY KEY,
    adw_id      TEXT NOT NULL,
    agent_name  TEXT,
    step_name   TEXT,
    iteration   INTEGER NOT NULL DEFAULT 0,
    log_level   TEXT NOT NULL CHECK (log_level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    log_type    TEXT NOT NULL CHECK (log_type IN ('milestone', 'state_change', 'tool_call', 'cost_update', 'performance', 'error', 'output')),
    message     TEXT NOT NULL,
    details     TEXT CHECK (details IS NULL OR json_valid(details)),
    created_at  TEXT NOT NULL
  );
  CREATE INDEX agent_logs_run ON agent_logs (adw_id, id);
  CREATE INDEX agent_logs_level ON agent_logs (log_level);
  CREATE INDEX agent_logs_created ON agent_logs (created_at);
  `,
  // 2: the run's --executor substitutions (JSON array of "FROM=TO"), so --resume runs the same executors.
  `ALTER TABLE runs ADD COLUMN executor_aliases TEXT CHECK (executor_aliases IS NULL OR json_valid(executor_aliases));`,
  // 3: `interrupted` step status: a step whose adw process died under it (it re-runs on resume,
  // whatever continueOnError says). SQLite cannot change a CHECK, so the table is rebuilt (SQLite's
  // documented procedure; migrate() turns foreign keys off around it). Rows closed by older versions
  // as `failed` with an "interrupted: …" or "the adw process exited …" error become `interrupted`.
  `
  CREATE TABLE steps_v3 (
    id                    INTEGER PRIMARY KEY,
    adw_id                TEXT NOT NULL REFERENCES runs (adw_id) ON DELETE CASCADE,
    step_id               TEXT NOT NULL,
    step_name             TEXT,
    parent_id             TEXT,
    iteration             INTEGER NOT NULL DEFAULT 0,
    executor              TEXT,
    status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted')),
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    model                 TEXT,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    outputs               TEXT CHECK (outputs IS NULL OR json_valid(outputs)),
    error                 TEXT,
    reason                TEXT
  );
  INSERT INTO steps_v3 SELECT id, adw_id, step_id, step_name, parent_id, iteration, executor,
    CASE WHEN status = 'failed' AND (error LIKE 'interrupted: %' OR error = 'the adw process exited while the run was in progress') THEN 'interrupted' ELSE status END,
    started_at, finished_at, duration_ms, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, outputs, error, reason
    FROM steps;
  DROP TABLE steps;
  ALTER TABLE steps_v3 RENAME TO steps;
  CREATE INDEX steps_run ON steps (adw_id, id);
  `,
  // 4: resume keys (src/engine/memo.ts): the sha256 content key of a step run and the short digests
  // of its parts (executor, rendered with:, model, each upstream step's outputs), so --resume reuses
  // a step only when what it would do now is what it did, and says which part changed. Rows written
  // before have neither (NULL): they are reused as before while the pipeline snapshot is unchanged.
  `
  ALTER TABLE steps ADD COLUMN content_key TEXT;
  ALTER TABLE steps ADD COLUMN key_parts TEXT CHECK (key_parts IS NULL OR json_valid(key_parts));
  `,
  // 5: approval gates and budgets. Run statuses `waiting` (at an approval gate; the process exited)
  // and `budget_exceeded` (a spend limit stopped it; resumable with a higher one); step statuses
  // `waiting`, `budget_exceeded` and `rate_limited` (a usage limit with a reset time: never success,
  // never retried blindly). The run's limits in force (`budget`, JSON) so a resume keeps them, and
  // `active_ms`, the time it ran before (a minutes budget does not count time spent waiting).
  // `approvals`: one row per gate reached, decided at most once. CHECKs change only by rebuilding
  // the tables (as migration 3 did; migrate() turns foreign keys off around it).
  `
  CREATE TABLE runs_v5 (
    adw_id                TEXT PRIMARY KEY,
    pipeline_name         TEXT NOT NULL,
    pipeline_file         TEXT NOT NULL,
    pipeline_snapshot     TEXT NOT NULL,
    inputs                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),
    working_dir           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'waiting', 'budget_exceeded')),
    current_step          TEXT,
    pid                   INTEGER,
    host                  TEXT,
    heartbeat_at          TEXT,
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    error                 TEXT,
    executor_aliases      TEXT CHECK (executor_aliases IS NULL OR json_valid(executor_aliases)),
    budget                TEXT CHECK (budget IS NULL OR json_valid(budget)),
    active_ms             INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO runs_v5 (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, current_step, pid, host, heartbeat_at,
    started_at, finished_at, duration_ms, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, error, executor_aliases)
    SELECT adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, current_step, pid, host, heartbeat_at,
    started_at, finished_at, duration_ms, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, error, executor_aliases FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v5 RENAME TO runs;
  CREATE INDEX runs_status_started ON runs (status, started_at);
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE steps_v5 (
    id                    INTEGER PRIMARY KEY,
    adw_id                TEXT NOT NULL REFERENCES runs (adw_id) ON DELETE CASCADE,
    step_id               TEXT NOT NULL,
    step_name             TEXT,
    parent_id             TEXT,
    iteration             INTEGER NOT NULL DEFAULT 0,
    executor              TEXT,
    status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted', 'waiting', 'budget_exceeded', 'rate_limited')),
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    model                 TEXT,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    outputs               TEXT CHECK (outputs IS NULL OR json_valid(outputs)),
    error                 TEXT,
    reason                TEXT,
    content_key           TEXT,
    key_parts             TEXT CHECK (key_parts IS NULL OR json_valid(key_parts))
  );
  INSERT INTO steps_v5 (id, adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, finished_at, duration_ms, model,
    input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, outputs, error, reason, content_key, key_parts)
    SELECT id, adw_id, step_id, step_name, parent_id, iteration, executor, status, started_at, finished_at, duration_ms, model,
    input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, outputs, error, reason, content_key, key_parts FROM steps;
  DROP TABLE steps;
  ALTER TABLE steps_v5 RENAME TO steps;
  CREATE INDEX steps_run ON steps (adw_id, id);

  CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY,
    adw_id        TEXT NOT NULL REFERENCES runs (adw_id) ON DELETE CASCADE,
    step_id       TEXT NOT NULL,
    iteration     INTEGER NOT NULL DEFAULT 0,
    message       TEXT,
    approvers     TEXT CHECK (approvers IS NULL OR json_valid(approvers)),
    requested_at  TEXT NOT NULL,
    timeout_at    TEXT,
    on_timeout    TEXT NOT NULL DEFAULT 'reject' CHECK (on_timeout IN ('reject', 'approve')),
    decision      TEXT CHECK (decision IS NULL OR decision IN ('approved', 'rejected')),
    decided_by    TEXT,
    decided_at    TEXT,
    comment       TEXT,
    decided_via   TEXT CHECK (decided_via IS NULL OR decided_via IN ('cli', 'timeout')),
    UNIQUE (adw_id, step_id, iteration)
  );
  `,
  // 6: the git worktree a run works in (adw run --worktree): the repository, the commit and branch it
  // started from, where it is, and which process made it (a run row may not exist yet while it starts).
  // No foreign key: the worktree is recorded before the run's row, and outlives a deleted run.
  `
  CREATE TABLE IF NOT EXISTS worktrees (
    adw_id       TEXT PRIMARY KEY,
    repo         TEXT NOT NULL,
    base_ref     TEXT NOT NULL,
    base_commit  TEXT NOT NULL,
    branch       TEXT NOT NULL,
    path         TEXT NOT NULL,
    pid          INTEGER,
    host         TEXT,
    created_at   TEXT NOT NULL,
    removed_at   TEXT
  );
  `,
  // 7: engine v2. A fan-out step runs once per item (item_index, 0-based; NULL for a step without
  // forEach), a retried step once per attempt (1-based); runs.graph holds the pipeline's edges
  // ([from, to] pairs: `to` needs `from`; loop bodies as "loop/step") so views can draw it.
  `
  ALTER TABLE steps ADD COLUMN item_index INTEGER;
  ALTER TABLE steps ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE runs ADD COLUMN graph TEXT CHECK (graph IS NULL OR json_valid(graph));
  `,
  // 8: record and replay (adw replay). `recordings`: what a run's model steps exchanged: per agent API
  // call (kind 'messages', turn 1-based) the hash of the request's stable parts, its new part (JSON)
  // and the full response (JSON); per claude-code invocation (kind 'transcript') its stream-json
  // lines; per run (kind 'base', no step) the git commit its working dir started from. Everything
  // masked and capped by the run's record.max_bytes. `replays`: a run that replayed another one.
  // No foreign keys: a recording is never refused, and a replay outlives the run it replayed.
  `
  CREATE TABLE IF NOT EXISTS recordings (
    id            INTEGER PRIMARY KEY,
    adw_id        TEXT NOT NULL,
    step_row_id   INTEGER,
    step_id       TEXT,
    iteration     INTEGER NOT NULL DEFAULT 0,
    item_index    INTEGER,
    attempt       INTEGER NOT NULL DEFAULT 1,
    turn          INTEGER NOT NULL DEFAULT 0,
    kind          TEXT NOT NULL CHECK (kind IN ('base', 'messages', 'transcript')),
    request_hash  TEXT,
    request       TEXT CHECK (request IS NULL OR json_valid(request)),
    response      TEXT NOT NULL,
    bytes         INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS recordings_run ON recordings (adw_id, id);
  CREATE TABLE IF NOT EXISTS replays (
    adw_id        TEXT PRIMARY KEY,
    replay_of     TEXT NOT NULL,
    divergences   TEXT CHECK (divergences IS NULL OR json_valid(divergences)),
    served        INTEGER NOT NULL DEFAULT 0,
    live          INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS replays_of ON replays (replay_of);
  `,
  // 9: the run queue (adw run --queue, adw worker). Run status `queued` (recorded, no process drives
  // it yet), the queue it was submitted to (an approval puts it back there), and a cancel request a
  // running run's process sees on its heartbeat, wherever it runs (adw cancel across machines).
  // The status CHECK changes only by rebuilding the table (as migrations 3 and 5 did).
  `
  CREATE TABLE runs_v9 (
    adw_id                TEXT PRIMARY KEY,
    pipeline_name         TEXT NOT NULL,
    pipeline_file         TEXT NOT NULL,
    pipeline_snapshot     TEXT NOT NULL,
    inputs                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),
    working_dir           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'waiting', 'budget_exceeded')),
    current_step          TEXT,
    pid                   INTEGER,
    host                  TEXT,
    heartbeat_at          TEXT,
    started_at            TEXT NOT NULL,
    finished_at           TEXT,
    duration_ms           INTEGER,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    error                 TEXT,
    executor_aliases      TEXT CHECK (executor_aliases IS NULL OR json_valid(executor_aliases)),
    budget                TEXT CHECK (budget IS NULL OR json_valid(budget)),
    active_ms             INTEGER NOT NULL DEFAULT 0,
    graph                 TEXT CHECK (graph IS NULL OR json_valid(graph)),
    queue                 TEXT,
    cancel_requested_at   TEXT,
    cancel_requested_by   TEXT
  );
  INSERT INTO runs_v9 (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, current_step, pid, host, heartbeat_at,
    started_at, finished_at, duration_ms, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, error, executor_aliases, budget, active_ms, graph)
    SELECT adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, current_step, pid, host, heartbeat_at,
    started_at, finished_at, duration_ms, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, error, executor_aliases, budget, active_ms, graph FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v9 RENAME TO runs;
  CREATE INDEX runs_status_started ON runs (status, started_at);
  CREATE INDEX runs_started ON runs (started_at);
  `,
  // 10: evaluation suites (adw eval): one evals row per eval, one eval_runs row per trial (case ×
  // pipeline × model × repeat) naming its run and its judge's run. No foreign key to runs: a trial
  // exists before its run, and its row must survive a deleted run.
  `
  CREATE TABLE IF NOT EXISTS evals (
    eval_id         TEXT PRIMARY KEY,
    suite_name      TEXT NOT NULL,
    suite_file      TEXT NOT NULL,
    suite_snapshot  TEXT NOT NULL,
    options         TEXT NOT NULL CHECK (json_valid(options)),
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'budget_exceeded', 'cancelled', 'failed')),
    pid             INTEGER,
    host            TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    error           TEXT
  );
  CREATE INDEX IF NOT EXISTS evals_started ON evals (started_at);
  CREATE TABLE IF NOT EXISTS eval_runs (
    eval_id       TEXT NOT NULL REFERENCES evals (eval_id) ON DELETE CASCADE,
    run_key       TEXT NOT NULL,
    position      INTEGER NOT NULL,
    case_id       TEXT NOT NULL,
    pipeline      TEXT NOT NULL,
    model         TEXT NOT NULL,
    repeat        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'passed', 'failed', 'error', 'budget_exceeded', 'cancelled')),
    adw_id        TEXT,
    judge_adw_id  TEXT,
    workspace     TEXT,
    checks        TEXT CHECK (checks IS NULL OR json_valid(checks)),
    error         TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    PRIMARY KEY (eval_id, run_key)
  );
  CREATE INDEX IF NOT EXISTS eval_runs_run ON eval_runs (adw_id);
  `,
]

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as {user_version: number}
  return row.user_version
}

/**
 * Brings the database to SCHEMA_VERSION. The check is repeated inside BEGIN IMMEDIATE, so two
 * processes opening a fresh file at once migrate it exactly once.
 */
export function migrate(db: DatabaseSync, path: string): void {
  if (userVersion(db) === SCHEMA_VERSION) return
  // A table rebuild must not fire foreign-key actions, nor refuse a row an older version kept; the
  // pragma is a no-op inside a transaction, so it is set around it.
  const foreignKeys = (db.prepare('PRAGMA foreign_keys').get() as {foreign_keys: number}).foreign_keys
  db.exec('PRAGMA foreign_keys = OFF')
  try {
    migrateLocked(db, path)
  } finally {
    if (foreignKeys) db.exec('PRAGMA foreign_keys = ON')
  }
}

function migrateLocked(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE')
  try {
    const from = userVersion(db)
    if (from > SCHEMA_VERSION) {
      throw new AdwError('CONFIG_INVALID', `The database ${path} has schema version ${from}, newer than this adw understands (${SCHEMA_VERSION}).`, {
        suggestions: ['Upgrade adw, or point --db / DATABASE_PATH at another file'],
      })
    }
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v])
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.exec('COMMIT')
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw error
  }
}
