import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {adw, ROOT, rmDir} from '../helpers/cli.js'
import {rows, sqlite3, stepRuns} from '../helpers/db.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {SCHEMA_VERSION} from '../../src/store/schema.js'
import {tempDb} from './fixtures.js'

const PIPELINE = `name: old
steps:
  - id: a
    uses: shell
    with: {run: echo x >> ran-a}
  - id: b
    uses: shell
    continueOnError: true
    with: {run: echo x >> ran-b; echo ok}
  - id: c
    uses: shell
    if: steps.b.outputs.stdout == "ok"
    with: {run: echo x >> ran-c}
`

/**
 * A database written by adw at schema version 2 (the frozen schema in test/fixtures), holding a run
 * killed by kill -9 during step b (continueOnError), that the old version's resume had already closed
 * as `failed` "interrupted: …" before being killed itself: its pid is dead, its status `running`.
 */
function v2Database(): {dir: string; db: string} {
  const {dir, db} = tempDb('old.db')
  writeFileSync(join(dir, 'p.yaml'), PIPELINE)
  const dead = spawnSync(process.execPath, ['-e', '']).pid
  const raw = new DatabaseSync(db)
  raw.exec(readFileSync(join(ROOT, 'test/fixtures/schema-v2.sql'), 'utf8'))
  const t = '2026-11-20T10:00:00.000Z'
  raw.prepare(`INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, pid, host, heartbeat_at, started_at)
               VALUES ('old', 'old', ?, ?, '{}', ?, 'running', ?, ?, ?, ?)`).run(join(dir, 'p.yaml'), PIPELINE, dir, dead, hostname(), t, t)
  const step = raw.prepare(`INSERT INTO steps (adw_id, step_id, iteration, executor, status, started_at, finished_at, outputs, error) VALUES ('old', ?, 0, 'shell', ?, ?, ?, ?, ?)`)
  step.run('a', 'succeeded', t, t, '{"exitCode":0,"stdout":"","stderr":""}', null)
  step.run('b', 'failed', t, t, null, `interrupted: adw process ${dead} on ${hostname()} stopped while this step was running; re-run on resume`)
  raw.prepare(`INSERT INTO agent_logs (adw_id, log_level, log_type, message, created_at) VALUES ('old', 'INFO', 'milestone', 'Run started: old', ?)`).run(t)
  raw.close()
  return {dir, db}
}

test('a version-2 database opens and upgrades: every row kept, old "interrupted: …" failures become interrupted, the schema is sound', async () => {
  const {dir, db} = v2Database()
  try {
    assert.equal(rows(db, 'PRAGMA user_version')[0].user_version, 2)
    await openSqliteStore(db).close()
    assert.equal(rows(db, 'PRAGMA user_version')[0].user_version, SCHEMA_VERSION)
    assert.equal(stepRuns(db), ['a#0:succeeded', 'b#0:interrupted'])
    assert.match(rows(db, "SELECT error FROM steps WHERE step_id = 'b'")[0].error, /^interrupted: adw process \d+/)
    assert.is(rows(db, 'SELECT count(*) AS n FROM agent_logs')[0].n, 1)
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
    assert.is(sqlite3(db, 'PRAGMA foreign_key_check'), '')
    assert.ok(rows(db, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'steps_run'").length === 1, 'the steps index is back')
    // The rebuilt table still refuses what it should and cascades as before.
    const raw = new DatabaseSync(db)
    try {
      assert.throws(() => raw.prepare("INSERT INTO steps (adw_id, step_id, status, started_at) VALUES ('old', 'x', 'bogus', 't')").run(), /CHECK constraint failed/)
      raw.exec("DELETE FROM runs WHERE adw_id = 'old'")
      assert.is((raw.prepare('SELECT count(*) AS n FROM steps').get() as {n: number}).n, 0)
    } finally {
      raw.close()
    }
  } finally {
    rmDir(dir)
  }
})

test('adw run --resume on a run from a version-2 database: the interrupted continueOnError step runs again and the run succeeds', async () => {
  const {dir, db} = v2Database()
  try {
    const r = await adw(['run', '--resume', '--adw-id', 'old', '--db', db], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(stepRuns(db), ['a#0:succeeded', 'b#0:interrupted', 'b#0:succeeded', 'c#0:succeeded'])
    assert.is(readFileSync(join(dir, 'ran-b'), 'utf8'), 'x\n')
    assert.is(readFileSync(join(dir, 'ran-c'), 'utf8'), 'x\n')
    const runs = await adw(['runs', '--db', db, '--json'], {cwd: dir})
    const run = JSON.parse(runs.stdout)
    assert.is(run.status, 'succeeded')
    assert.is(run.steps.interrupted, 1)
  } finally {
    rmDir(dir)
  }
})

test.run()
