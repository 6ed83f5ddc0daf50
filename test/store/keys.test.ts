import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {ROOT, rmDir} from '../helpers/cli.js'
import {rows, sqlite3} from '../helpers/db.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {SCHEMA_VERSION} from '../../src/store/schema.js'
import {newRun, tempDb} from './fixtures.js'

/** A database as adw wrote it at schema version 3 (frozen in test/fixtures): one run, two step rows, no keys. */
function v3Database(): {dir: string; db: string} {
  const {dir, db} = tempDb('v3.db')
  const raw = new DatabaseSync(db)
  raw.exec(readFileSync(join(ROOT, 'test/fixtures/schema-v3.sql'), 'utf8'))
  const t = '2026-12-01T10:00:00.000Z'
  raw.prepare(`INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, started_at) VALUES ('old', 'old', 'p.yaml', 'name: old', '{}', ?, 'failed', ?)`).run(dir, t)
  const step = raw.prepare(`INSERT INTO steps (adw_id, step_id, iteration, executor, status, started_at, outputs) VALUES ('old', ?, 0, 'shell', ?, ?, ?)`)
  step.run('a', 'succeeded', t, '{"stdout":"a"}')
  step.run('b', 'failed', t, null)
  raw.close()
  return {dir, db}
}

test('a version-3 database upgrades: every row kept, with no key (NULL), and the schema is sound', async () => {
  const {dir, db} = v3Database()
  try {
    assert.is(rows(db, 'PRAGMA user_version')[0].user_version, 3)
    await openSqliteStore(db).close()
    assert.is(rows(db, 'PRAGMA user_version')[0].user_version, SCHEMA_VERSION)
    assert.equal(rows(db, 'SELECT step_id, status, outputs, content_key, key_parts FROM steps ORDER BY id').map(r => ({...r})), [
      {step_id: 'a', status: 'succeeded', outputs: '{"stdout":"a"}', content_key: null, key_parts: null},
      {step_id: 'b', status: 'failed', outputs: null, content_key: null, key_parts: null},
    ])
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
    const raw = new DatabaseSync(db)
    try {
      assert.throws(() => raw.prepare("UPDATE steps SET key_parts = 'not json' WHERE step_id = 'a'").run(), /CHECK constraint failed/)
    } finally {
      raw.close()
    }
  } finally {
    rmDir(dir)
  }
})

test('a step run records its key and the digests of its parts; a skip records none', async () => {
  const {dir, db} = tempDb()
  const store = openSqliteStore(db)
  try {
    await store.createRun(newRun('k'))
    const key = {key: 'a'.repeat(64), parts: {executor: '1'.repeat(16), with: '2'.repeat(16), model: '3'.repeat(16), upstream: {plan: '4'.repeat(16)}}}
    const id = await store.startStep({adwId: 'k', stepId: 'build', iteration: 0, executor: 'shell', contentKey: key})
    await store.finishStep(id, {status: 'succeeded', outputs: {}})
    await store.skipStep({adwId: 'k', stepId: 'lint', iteration: 0, executor: 'shell', reason: 'if: false was false'})
    await store.startStep({adwId: 'k', stepId: 'old-style', iteration: 0, executor: 'shell'})
    const [built, skipped, plain] = await store.listSteps('k')
    assert.is(built.content_key, key.key)
    assert.equal(JSON.parse(built.key_parts!), key.parts)
    assert.is(skipped.content_key, null)
    assert.is(plain.content_key, null)
  } finally {
    await store.close()
    rmDir(dir)
  }
})

test('claimRun with reopen takes a succeeded run over and records the pipeline it continues with; without, a succeeded run is left alone', async () => {
  const {dir, db} = tempDb()
  const store = openSqliteStore(db)
  try {
    await store.createRun(newRun('p'))
    await store.finishRun('p', 'succeeded')
    const plain = await store.claimRun('p', {pipeline: {name: 'ignored', file: '/x/ignored.yaml', snapshot: 'name: ignored\n'}})
    assert.is(plain.previous.status, 'succeeded')
    assert.is((await store.getRun('p'))!.status, 'succeeded')
    assert.is((await store.getRun('p'))!.pipeline_name, 'demo', 'a run not claimed keeps its pipeline')
    const claim = await store.claimRun('p', {reopen: true, pipeline: {name: 'edited', file: '/x/edited.yaml', snapshot: 'name: edited\n'}})
    assert.is(claim.previous.status, 'succeeded')
    const run = (await store.getRun('p'))!
    assert.equal([run.status, run.pid, run.finished_at], ['running', process.pid, null])
    assert.equal([run.pipeline_name, run.pipeline_file, run.pipeline_snapshot], ['edited', '/x/edited.yaml', 'name: edited\n'])
  } finally {
    await store.close()
    rmDir(dir)
  }
})

test.run()
