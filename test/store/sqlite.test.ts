import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {AdwError} from '../../src/errors.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {SCHEMA_VERSION} from '../../src/store/schema.js'
import {effectiveStatus} from '../../src/store/status.js'
import {newRun, runChild, SRC_STORE, tempDb} from './fixtures.js'

const tables = (file: string) => {
  const db = new DatabaseSync(file, {readOnly: true})
  try {
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{name: string}>).map(r => r.name)
    const {user_version} = db.prepare('PRAGMA user_version').get() as {user_version: number}
    const {journal_mode} = db.prepare('PRAGMA journal_mode').get() as {journal_mode: string}
    return {names, user_version, journal_mode}
  } finally {
    db.close()
  }
}

test('creates the parent folder, the tables, WAL, and migrates once (idempotent)', async () => {
  const {dir} = tempDb()
  const db = join(dir, 'nested/deeper/adw.db')
  await openSqliteStore(db).close()
  assert.ok(existsSync(db))
  const first = tables(db)
  assert.equal(first.names, ['agent_logs', 'approvals', 'eval_runs', 'evals', 'recordings', 'replays', 'runs', 'steps', 'worktrees'])
  assert.is(first.user_version, SCHEMA_VERSION)
  assert.is(first.journal_mode, 'wal')
  const store = openSqliteStore(db)
  await store.createRun(newRun('keep'))
  await store.close()
  await openSqliteStore(db).close()
  assert.equal(tables(db), first)
  const again = openSqliteStore(db)
  assert.ok(await again.getRun('keep'), 'reopening kept the data')
  await again.close()
})

test('a version-1 database is migrated in place: rows kept, executor_aliases added', async () => {
  const {db} = tempDb()
  const v2 = openSqliteStore(db)
  await v2.createRun(newRun('old'))
  await v2.close()
  const raw = new DatabaseSync(db)
  raw.exec('ALTER TABLE runs DROP COLUMN executor_aliases; DROP TABLE approvals; PRAGMA user_version = 1')
  raw.close()
  const store = openSqliteStore(db)
  assert.is((await store.getRun('old'))?.executor_aliases, null)
  await store.createRun({...newRun('new'), executorAliases: ['agent=claude-code']})
  assert.is((await store.getRun('new'))?.executor_aliases, '["agent=claude-code"]')
  await store.close()
  assert.is(tables(db).user_version, SCHEMA_VERSION)
})

test('a database from a newer adw is refused, not downgraded', async () => {
  const {db} = tempDb()
  await openSqliteStore(db).close()
  const raw = new DatabaseSync(db)
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
  raw.close()
  try {
    openSqliteStore(db)
    assert.unreachable()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.match((error as Error).message, /newer than this adw understands/)
  }
})

test('createRun on an existing id throws RUN_EXISTS with a hint', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  await store.createRun(newRun('dup'))
  try {
    await store.createRun(newRun('dup', {pipelineName: 'other'}))
    assert.unreachable()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, 'RUN_EXISTS')
    assert.is((error as AdwError).exitCode, 2)
    assert.match((error as AdwError).message, /adw_id "dup" already exists/)
    assert.ok((error as AdwError).suggestions.some(s => s.includes('adw run --resume --adw-id dup')))
  }
  assert.is((await store.getRun('dup'))!.pipeline_name, 'demo', 'the first run is untouched')
  await store.close()
})

test('run lifecycle: steps, usage totals, skip, finish with duration, listing newest first', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  await store.createRun(newRun('r1'))
  const run = (await store.getRun('r1'))!
  assert.is(run.status, 'running')
  assert.is(run.pid, process.pid)
  assert.equal(JSON.parse(run.inputs), {prompt: 'hi'})
  assert.match(run.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

  const a = await store.startStep({adwId: 'r1', stepId: 'plan', iteration: 0, executor: 'shell'})
  await store.setCurrentStep('r1', 'plan')
  assert.is((await store.getRun('r1'))!.current_step, 'plan')
  await store.addUsage(a, 'r1', {inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, costUsd: 0.01, model: 'claude-x'})
  await store.addUsage(a, 'r1', {inputTokens: 1, costUsd: 0.002})
  await store.finishStep(a, {status: 'succeeded', outputs: {exitCode: 0}})
  const b = await store.startStep({adwId: 'r1', stepId: 'fix', parentId: 'loop', iteration: 2})
  await store.addUsage(b, 'r1', {outputTokens: 7, cacheCreationTokens: 3, costUsd: 0.5})
  await store.finishStep(b, {status: 'failed', error: 'exit 1'})
  await store.skipStep({adwId: 'r1', stepId: 'deploy', iteration: 0, reason: 'if: false'})
  await new Promise(r => setTimeout(r, 15))
  await store.finishRun('r1', 'failed', 'step fix failed')

  const steps = await store.listSteps('r1')
  assert.equal(steps.map(s => [s.step_id, s.status, s.iteration, s.parent_id]), [['plan', 'succeeded', 0, null], ['fix', 'failed', 2, 'loop'], ['deploy', 'skipped', 0, null]])
  assert.is(steps[0].input_tokens, 101)
  assert.is(steps[0].model, 'claude-x')
  assert.equal(JSON.parse(steps[0].outputs!), {exitCode: 0})
  assert.is(steps[1].error, 'exit 1')
  assert.is(steps[2].reason, 'if: false')
  assert.is(steps[2].duration_ms, null)

  const done = (await store.getRun('r1'))!
  assert.is(done.status, 'failed')
  assert.is(done.error, 'step fix failed')
  assert.is(done.current_step, null)
  assert.equal([done.input_tokens, done.output_tokens, done.cache_creation_tokens, done.cache_read_tokens], [101, 27, 3, 5])
  assert.ok(Math.abs(done.cost_usd - 0.512) < 1e-9)
  assert.ok(done.duration_ms! >= 15, `duration ${done.duration_ms}`)
  assert.is(Date.parse(done.finished_at!) - Date.parse(done.started_at), done.duration_ms)
  assert.equal((await store.stepCounts(['r1', 'none'])).get('r1'), {total: 3, succeeded: 1, failed: 1, skipped: 1, running: 0, cancelled: 0, interrupted: 0})
  assert.not.ok((await store.stepCounts(['none'])).has('none'))

  await new Promise(r => setTimeout(r, 5))
  await store.createRun(newRun('r2'))
  assert.equal((await store.listRuns()).map(r => r.adw_id), ['r2', 'r1'])
  assert.equal((await store.listRuns({status: 'failed'})).map(r => r.adw_id), ['r1'])
  assert.equal((await store.listRuns({limit: 1})).map(r => r.adw_id), ['r2'])
  assert.equal(await store.recentRunIds(), ['r2', 'r1'])
  try {
    await store.finishRun('ghost', 'failed')
    assert.unreachable()
  } catch (error) {
    assert.is((error as AdwError).code, 'RUN_NOT_FOUND')
  }
  await store.close()
})

test('log rows are batched: invisible to others until flush, then all there with JSON details', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  await store.createRun(newRun('x'))
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  store.log({adwId: 'x', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'step started', details: {executor: 'shell', n: 1}})
  store.log({adwId: 'x', level: 'DEBUG', type: 'output', message: 'no details', details: undefined})
  store.log({adwId: 'x', level: 'ERROR', type: 'error', message: 'cyclic', details: cycle})
  for (let i = 0; i < 997; i++) store.log({adwId: 'x', stepName: 'build', iteration: 1, level: 'INFO', type: 'output', message: `line ${i}`})

  const reader = openSqliteStore(db)
  assert.is((await reader.queryLogs({adwId: 'x'})).length, 0, 'nothing written before flush')
  await store.flush()
  const rows = await reader.queryLogs({adwId: 'x'})
  assert.is(rows.length, 1000)
  assert.equal(JSON.parse(rows[0].details!), {executor: 'shell', n: 1})
  assert.is(rows[0].step_name, 'plan')
  assert.is(rows[1].details, null)
  assert.is(rows[1].step_name, null)
  assert.match(JSON.parse(rows[2].details!).unserializable, /circular/i)
  assert.equal(rows.slice(3).map(r => r.message), Array.from({length: 997}, (_, i) => `line ${i}`))
  assert.ok(rows.every(r => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.created_at)))
  await reader.close()
  await store.close()
})

test('the buffer flushes itself at the batch size, on its timer, at finishRun and at close', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db, {batchSize: 50, flushIntervalMs: 40})
  const reader = openSqliteStore(db)
  await store.createRun(newRun('x'))
  const log = (n: number) => {
    for (let i = 0; i < n; i++) store.log({adwId: 'x', level: 'INFO', type: 'output', message: 'm'})
  }
  log(120)
  assert.is((await reader.queryLogs({adwId: 'x'})).length, 100, 'two full batches written')
  await new Promise(r => setTimeout(r, 120))
  assert.is((await reader.queryLogs({adwId: 'x'})).length, 120, 'the timer wrote the rest')
  log(3)
  await store.finishRun('x', 'succeeded')
  assert.is((await reader.queryLogs({adwId: 'x'})).length, 123, 'finishRun commits buffered rows with the status')
  log(4)
  await store.close()
  assert.is((await reader.queryLogs({adwId: 'x'})).length, 127, 'close flushes')
  await reader.close()
})

test('a process that exits without close still writes its buffered rows', async () => {
  const {dir, db} = tempDb()
  const child = await runChild(dir, 'exit-early', `
    import {openSqliteStore} from ${JSON.stringify(SRC_STORE)}
    const s = openSqliteStore(${JSON.stringify(db)}, {flushIntervalMs: 60_000})
    for (let i = 0; i < 42; i++) s.log({adwId: 'gone', level: 'INFO', type: 'output', message: 'x' + i})
    process.exit(3)
  `)
  assert.is(child.exitCode, 3, child.stderr)
  const store = openSqliteStore(db)
  assert.is((await store.queryLogs({adwId: 'gone'})).length, 42)
  await store.close()
})

test('log() refuses an invalid level or type at the call site', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  assert.throws(() => store.log({adwId: 'x', level: 'info' as never, type: 'output', message: 'm'}), /Invalid log level "info"/)
  assert.throws(() => store.log({adwId: 'x', level: 'INFO', type: 'stdout' as never, message: 'm'}), /Invalid log type "stdout"/)
  await store.flush()
  assert.is((await store.queryLogs({adwId: 'x'})).length, 0)
  await store.close()
})

test('queryLogs: filters, minimum level, last N in chronological order, afterId', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  await store.createRun(newRun('q'))
  const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const
  for (let i = 0; i < 20; i++) {
    store.log({adwId: 'q', stepName: i % 2 ? 'odd' : 'even', level: levels[i % 5], type: i % 4 === 0 ? 'milestone' : 'output', message: String(i)})
  }
  store.log({adwId: 'other', level: 'ERROR', type: 'error', message: 'not mine'})
  await store.flush()
  const msgs = async (q: Parameters<typeof store.queryLogs>[0]) => (await store.queryLogs(q)).map(r => Number(r.message))
  assert.equal(await msgs({adwId: 'q'}), Array.from({length: 20}, (_, i) => i))
  assert.equal(await msgs({adwId: 'q', limit: 3}), [17, 18, 19])
  assert.equal(await msgs({adwId: 'q', level: 'ERROR'}), [3, 8, 13, 18])
  assert.equal(await msgs({adwId: 'q', minLevel: 'ERROR'}), [3, 4, 8, 9, 13, 14, 18, 19])
  assert.equal((await msgs({adwId: 'q', minLevel: 'DEBUG'})).length, 20)
  assert.equal(await msgs({adwId: 'q', step: 'odd', type: 'output'}), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
  assert.equal(await msgs({adwId: 'q', type: 'milestone', limit: 2}), [12, 16])
  const all = await store.queryLogs({adwId: 'q'})
  assert.equal(await msgs({adwId: 'q', afterId: all[16].id}), [17, 18, 19])
  assert.equal(await msgs({adwId: 'q', afterId: all[19].id}), [])
  await store.close()
})

test('effectiveStatus: a running run whose process is gone is interrupted; resuming claims it', async () => {
  const {dir, db} = tempDb()
  const child = await runChild(dir, 'dies', `
    import {openSqliteStore} from ${JSON.stringify(SRC_STORE)}
    const s = openSqliteStore(${JSON.stringify(db)})
    await s.createRun({adwId: 'dead', pipelineName: 'p', pipelineFile: 'p.yaml', pipelineSnapshot: '', inputs: {}, workingDir: '.'})
    process.kill(process.pid, 'SIGKILL')
  `)
  assert.is(child.signal, 'SIGKILL')
  const store = openSqliteStore(db)
  const dead = (await store.getRun('dead'))!
  assert.is(dead.status, 'running')
  assert.is(effectiveStatus(dead), 'interrupted')
  assert.is(effectiveStatus({...dead, host: 'some-other-host'}), 'running', 'another host is taken at its word')
  await store.setRunStatus('dead', 'running', {error: null})
  assert.is((await store.getRun('dead'))!.pid, process.pid)
  assert.is(effectiveStatus((await store.getRun('dead'))!), 'running')
  await store.finishRun('dead', 'cancelled')
  assert.is(effectiveStatus((await store.getRun('dead'))!), 'cancelled')
  await store.close()
})

test.run()
