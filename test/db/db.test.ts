/**
 * `adw db status | migrate | copy` through the real CLI, on a real SQLite file and a real Postgres
 * schema: history made by `adw run` moves to Postgres (psql sees it, the seed's queries unchanged),
 * back to a new file (`adw runs` lists it), and a second copy copies nothing.
 */
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows, sqlite3} from '../helpers/db.js'
import {freshSchema, psqlAt} from '../helpers/pg.js'

/** node:sqlite rows have no prototype; compare their data. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x))

const PIPELINE = `name: moved
steps:
  - id: plan
    uses: shell
    with: {run: echo planning}
  - id: build
    uses: shell
    with: {run: echo building}
`

test('db copy: SQLite → Postgres → a new SQLite file, every row; a second copy copies nothing; psql runs the seed queries', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const {url, drop} = await freshSchema('copy')
  const secret = url.replace('postgres://root@', 'postgres://root:hunter2@')
  try {
    const db = join(dir, 'orchestrator.db')
    for (const id of ['m-1', 'm-2']) {
      const r = await adw(['run', 'p.yaml', '--db', db, '--adw-id', id], {cwd: dir})
      assert.is(r.exitCode, 0, r.stderr)
    }
    const logRows = Number(sqlite3(db, 'SELECT count(*) FROM agent_logs'))
    const up = await adw(['db', 'copy', '--from', db, '--to', secret], {cwd: dir})
    assert.is(up.exitCode, 0, up.stderr)
    assert.match(up.stdout, new RegExp(`^Copied 2 runs \\(4 steps, 0 approvals, ${logRows} log rows, \\d+ recordings\\), 0 worktree and 0 replay records from ${db} to postgres://root:\\*\\*\\*@`))
    assert.match(up.stderr, /copied \d+\/\d+ rows \(100%\)/)
    assert.not.match(up.stdout + up.stderr, /hunter2/)
    // The seed's queries, verbatim.
    const tools = await psqlAt(url, "SELECT adw_id, message, details FROM agent_logs WHERE log_level = 'ERROR';")
    assert.equal(tools, [])
    const milestones = await psqlAt(url, "SELECT step_name, log_type FROM agent_logs WHERE adw_id = 'm-1' AND log_type = 'milestone';")
    assert.ok(milestones.some(r => r.step_name === 'plan'), JSON.stringify(milestones))
    const pgLogs = await psqlAt(url, 'SELECT message FROM agent_logs ORDER BY id')
    assert.equal(pgLogs.map(r => r.message), rows(db, 'SELECT message FROM agent_logs ORDER BY id').map(r => r.message))
    const steps = await psqlAt(url, 'SELECT adw_id, step_id, status, outputs FROM steps ORDER BY id')
    assert.equal(steps, plain(rows(db, 'SELECT adw_id, step_id, status, outputs FROM steps ORDER BY id')))

    const again = await adw(['db', 'copy', '--from', db, '--to', url, '--json'], {cwd: dir})
    assert.is(again.exitCode, 0, again.stderr)
    assert.equal(JSON.parse(again.stdout).copied, {runs: 0, steps: 0, approvals: 0, agent_logs: 0, recordings: 0, worktrees: 0, replays: 0})
    assert.is(JSON.parse(again.stdout).skippedRuns, 2)
    assert.is((await psqlAt(url, 'SELECT count(*)::int AS n FROM agent_logs'))[0].n, logRows)

    const back = join(dir, 'back.db')
    const down = await adw(['db', 'copy', '--from', url, '--to', back], {cwd: dir})
    assert.is(down.exitCode, 0, down.stderr)
    assert.equal(plain(rows(back, 'SELECT * FROM runs ORDER BY adw_id')), plain(rows(db, 'SELECT * FROM runs ORDER BY adw_id')))
    assert.is(Number(sqlite3(back, 'SELECT count(*) FROM agent_logs')), logRows)
    const listed = await adw(['runs', '--db', back], {cwd: dir})
    assert.is(listed.exitCode, 0, listed.stderr)
    assert.match(listed.stdout, /m-2\s+moved\s+succeeded[\s\S]*m-1\s+moved\s+succeeded/)
  } finally {
    await drop()
    rmDir(dir)
  }
})

test('db status and db migrate: version, pending migrations, row counts, --json; the source of a copy must exist', async () => {
  const dir = tmpDir()
  const {url, drop} = await freshSchema('status')
  try {
    const before = await adw(['db', 'status', '--db', url, '--json'], {cwd: dir})
    assert.is(before.exitCode, 0, before.stderr)
    const s = JSON.parse(before.stdout)
    assert.equal([s.kind, s.version, s.pending.at(-1), s.rows.runs], ['postgres', 0, s.current, 0])
    const migrated = await adw(['db', 'migrate', '--db', url], {cwd: dir})
    assert.is(migrated.exitCode, 0, migrated.stderr)
    assert.match(migrated.stdout, new RegExp(`schema version 0 → ${s.current} \\(applied ${s.pending.join(', ')}\\)`))
    const twice = await adw(['db', 'migrate'], {cwd: dir, env: {DATABASE_URL: url}})
    assert.match(twice.stdout, /up to date; nothing to do/)
    const status = await adw(['db', 'status'], {cwd: dir, env: {DATABASE_URL: url}})
    assert.is(status.exitCode, 0, status.stderr)
    assert.match(status.stdout, /^Database {2}postgres:\/\/.*\(PostgreSQL\)\nSchema {4}version \d+, up to date\nRows {6}runs 0 · steps 0 · approvals 0 · agent_logs 0 · recordings 0 · worktrees 0 · replays 0$/)
    const file = await adw(['db', 'status', '--db', join(dir, 'none.db')], {cwd: dir})
    assert.match(file.stdout, /Schema {4}none yet: the file does not exist/)
    const noSource = await adw(['db', 'copy', '--from', join(dir, 'none.db'), '--to', url], {cwd: dir})
    assert.is(noSource.exitCode, 2)
    assert.match(noSource.stderr, /No database at .*none\.db/)
  } finally {
    await drop()
    rmDir(dir)
  }
})

test('db commands on a bad URL: exit 2, what to do, the password masked', async () => {
  const dir = tmpDir()
  try {
    const refused = await adw(['db', 'status', '--db', 'postgres://ann:hunter2@127.0.0.1:1/adw'], {cwd: dir})
    assert.is(refused.exitCode, 2)
    assert.match(refused.stderr, /^Error: Cannot open the database postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/adw: the connection to 127\.0\.0\.1:1 was refused/)
    assert.match(refused.stderr, /Try: start the server/)
    const syntax = await adw(['db', 'migrate', '--db', 'postgres://ann:hunter2@[oops/adw'], {cwd: dir})
    assert.is(syntax.exitCode, 2)
    assert.match(syntax.stderr, /is not a valid URL/)
    for (const r of [refused, syntax]) assert.not.match(r.stdout + r.stderr, /hunter2|at .*\.js:\d+/)
  } finally {
    rmDir(dir)
  }
})

test.run()
