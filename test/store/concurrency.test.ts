import {execa} from 'execa'
import {test} from 'uvu'
import {SCHEMA_VERSION} from '../../src/store/schema.js'
import * as assert from 'uvu/assert'

import {openSqliteStore} from '../../src/store/sqlite.js'
import {newRun, runChild, SRC_STORE, tempDb} from './fixtures.js'

/** A writer as the engine is: runs and steps written at once, chatty logs in batches, usage totals. */
const writer = (db: string) => `
  import {openSqliteStore} from ${JSON.stringify(SRC_STORE)}
  const [name, runs, lines] = process.argv.slice(2)
  const s = openSqliteStore(${JSON.stringify(db)})
  for (let r = 0; r < Number(runs); r++) {
    const adwId = name + '-' + r
    await s.createRun({adwId, pipelineName: name, pipelineFile: 'p.yaml', pipelineSnapshot: '', inputs: {r}, workingDir: '.'})
    const step = await s.startStep({adwId, stepId: 'build', iteration: 0})
    s.log({adwId, stepName: 'build', level: 'INFO', type: 'milestone', message: 'step started'})
    for (let i = 0; i < Number(lines); i++) s.log({adwId, stepName: 'build', level: i % 50 ? 'INFO' : 'ERROR', type: 'output', message: 'line ' + i, details: {i}})
    await s.addUsage(step, adwId, {inputTokens: 10, outputTokens: 1, costUsd: 0.001})
    await s.finishStep(step, {status: 'succeeded'})
    await s.flush()
    await s.finishRun(adwId, 'succeeded')
  }
  await s.close()
`

test('two real processes on one fresh file lose nothing and never hit a busy error', async () => {
  const {dir, db} = tempDb()
  const source = writer(db)
  const [a, b] = await Promise.all([runChild(dir, 'a', source, ['a', '40', '2000']), runChild(dir, 'b', source, ['b', '40', '2000'])])
  assert.is(a.exitCode, 0, a.stderr)
  assert.is(b.exitCode, 0, b.stderr)
  assert.not.match(a.stderr + b.stderr, /locked|busy/i)

  const store = openSqliteStore(db)
  const runs = await store.listRuns()
  assert.is(runs.length, 80)
  assert.ok(runs.every(r => r.status === 'succeeded' && r.input_tokens === 10 && r.output_tokens === 1))
  for (const id of ['a-0', 'a-39', 'b-0', 'b-39']) {
    const rows = await store.queryLogs({adwId: id})
    assert.is(rows.length, 2001, id)
    assert.equal(rows.slice(1).map(r => JSON.parse(r.details!).i), Array.from({length: 2000}, (_, i) => i), `${id} in order`)
  }
  const total = (await execa('sqlite3', [db, 'SELECT count(*) FROM agent_logs; PRAGMA integrity_check;'])).stdout
  assert.is(total, `${80 * 2001}\nok`)
  await store.close()
})

test('four processes opening one fresh file at the same moment migrate it exactly once', async () => {
  const {dir, db} = tempDb()
  const source = writer(db)
  const children = await Promise.all([0, 1, 2, 3].map(i => runChild(dir, `w${i}`, source, [`w${i}`, '25', '100'])))
  for (const c of children) assert.is(c.exitCode, 0, c.stderr)
  const store = openSqliteStore(db)
  assert.is((await store.listRuns()).length, 100)
  await store.close()
  assert.is((await execa('sqlite3', [db, 'PRAGMA user_version;'])).stdout, String(SCHEMA_VERSION))
})

test("the seed's three queries work verbatim with the sqlite3 CLI", async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  await store.createRun(newRun('x'))
  store.log({adwId: 'x', agentName: 'orchestrator', level: 'INFO', type: 'milestone', message: 'run started', details: {pipeline: 'demo'}})
  store.log({adwId: 'x', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'step started'})
  store.log({adwId: 'x', stepName: 'plan', level: 'ERROR', type: 'error', message: 'plan failed', details: {message: 'boom', stack: 'Error: boom'}})
  store.log({adwId: 'x', stepName: 'plan', level: 'INFO', type: 'output', message: 'noise'})
  await store.close()

  const sql = async (query: string) => (await execa('sqlite3', [db, query])).stdout.split('\n')
  const recent = await sql('SELECT adw_id, agent_name, step_name, created_at FROM agent_logs ORDER BY created_at DESC LIMIT 20;')
  assert.is(recent.length, 4)
  assert.match(recent.at(-1)!, /^x\|orchestrator\|\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  assert.equal(await sql("SELECT adw_id, message, details FROM agent_logs WHERE log_level = 'ERROR';"), ['x|plan failed|{"message":"boom","stack":"Error: boom"}'])
  assert.equal(await sql("SELECT step_name, log_type FROM agent_logs WHERE adw_id = 'x' AND log_type = 'milestone';"), ['|milestone', 'plan|milestone'])
})

test.run()
