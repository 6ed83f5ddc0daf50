import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {AdwError} from '../../src/errors.js'
import {openStore} from '../../src/store/sqlite.js'
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

test('creates the parent folder, the tables, WAL, and migrates once (idempotent)', () => {
  const {dir} = tempDb()
  const db = join(dir, 'nested/deeper/adw.db')
  openStore(db).close()
  assert.ok(existsSync(db))
  const first = tables(db)
  assert.equal(first.names, ['agent_logs', 'approvals', 'recordings', 'replays', 'runs', 'steps', 'worktrees'])
  assert.is(first.user_version, SCHEMA_VERSION)
  assert.is(first.journal_mode, 'wal')
  const store = openStore(db)
  store.createRun(newRun('keep'))
  store.close()
  openStore(db).close()
  assert.equal(tables(db), first)
  const again = openStore(db)
  assert.ok(again.getRun('keep'), 'reopening kept the data')
  again.close()
})

test('a version-1 database is migrated in place: rows kept, executor_aliases added', () => {
  const {db} = tempDb()
  const v2 = openStore(db)
  v2.createRun(newRun('old'))
  v2.close()
  const raw = new DatabaseSync(db)
  raw.exec('ALTER TABLE runs DROP COLUMN executor_aliases; DROP TABLE approvals; PRAGMA user_version = 1')
  raw.close()
  const store = openStore(db)
  assert.is(store.getRun('old')?.executor_aliases, null)
  store.createRun({...newRun('new'), executorAliases: ['agent=claude-code']})
  assert.is(store.getRun('new')?.executor_aliases, '["agent=claude-code"]')
  store.close()
  assert.is(tables(db).user_version, SCHEMA_VERSION)
})

test('a database from a newer adw is refused, not downgraded', () => {
  const {db} = tempDb()
  openStore(db).close()
  const raw = new DatabaseSync(db)
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
  raw.close()
  try {
    openStore(db)
    assert.unreachable()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.match((error as Error).message, /newer than this adw understands/)
  }
})

test('createRun on an existing id throws RUN_EXISTS with a hint', () => {
  const {db} = tempDb()
  const store = openStore(db)
  store.createRun(newRun('dup'))
  try {
    store.createRun(newRun('dup', {pipelineName: 'other'}))
    assert.unreachable()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, 'RUN_EXISTS')
    assert.is((error as AdwError).exitCode, 2)
    assert.match((error as AdwError).message, /adw_id "dup" already exists/)
    assert.ok((error as AdwError).suggestions.some(s => s.includes('adw run --resume --adw-id dup')))
  }
  assert.is(store.getRun('dup')!.pipeline_name, 'demo', 'the first run is untouched')
  store.close()
})

test('run lifecycle: steps, usage totals, skip, finish with duration, listing newest first', async () => {
  const {db} = tempDb()
  const store = openStore(db)
  store.createRun(newRun('r1'))
  const run = store.getRun('r1')!
  assert.is(run.status, 'running')
  assert.is(run.pid, process.pid)
  assert.equal(JSON.parse(run.inputs), {prompt: 'hi'})
  assert.match(run.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

  const a = store.startStep({adwId: 'r1', stepId: 'plan', iteration: 0, executor: 'shell'})
  store.setCurrentStep('r1', 'plan')
  assert.is(store.getRun('r1')!.current_step, 'plan')
  store.addUsage(a, 'r1', {inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, costUsd: 0.01, model: 'claude-x'})
  store.addUsage(a, 'r1', {inputTokens: 1, costUsd: 0.002})
  store.finishStep(a, {status: 'succeeded', outputs: {exitCode: 0}})
  const b = store.startStep({adwId: 'r1', stepId: 'fix', parentId: 'loop', iteration: 2})
  store.addUsage(b, 'r1', {outputTokens: 7, cacheCreationTokens: 3, costUsd: 0.5})
  store.finishStep(b, {status: 'failed', error: 'exit 1'})
  store.skipStep({adwId: 'r1', stepId: 'deploy', iteration: 0, reason: 'if: false'})
  await new Promise(r => setTimeout(r, 15))
  store.finishRun('r1', 'failed', 'step fix failed')

  const steps = store.listSteps('r1')
  assert.equal(steps.map(s => [s.step_id, s.status, s.iteration, s.parent_id]), [['plan', 'succeeded', 0, null], ['fix', 'failed', 2, 'loop'], ['deploy', 'skipped', 0, null]])
  assert.is(steps[0].input_tokens, 101)
  assert.is(steps[0].model, 'claude-x')
  assert.equal(JSON.parse(steps[0].outputs!), {exitCode: 0})
  assert.is(steps[1].error, 'exit 1')
  assert.is(steps[2].reason, 'if: false')
  assert.is(steps[2].duration_ms, null)

  const done = store.getRun('r1')!
  assert.is(done.status, 'failed')
  assert.is(done.error, 'step fix failed')
  assert.is(done.current_step, null)
  assert.equal([done.input_tokens, done.output_tokens, done.cache_creation_tokens, done.cache_read_tokens], [101, 27, 3, 5])
  assert.ok(Math.abs(done.cost_usd - 0.512) < 1e-9)
  assert.ok(done.duration_ms! >= 15, `duration ${done.duration_ms}`)
  assert.is(Date.parse(done.finished_at!) - Date.parse(done.started_at), done.duration_ms)
  assert.equal(store.stepCounts(['r1', 'none']).get('r1'), {total: 3, succeeded: 1, failed: 1, skipped: 1, running: 0, cancelled: 0, interrupted: 0})
  assert.not.ok(store.stepCounts(['none']).has('none'))

  await new Promise(r => setTimeout(r, 5))
  store.createRun(newRun('r2'))
  assert.equal(store.listRuns().map(r => r.adw_id), ['r2', 'r1'])
  assert.equal(store.listRuns({status: 'failed'}).map(r => r.adw_id), ['r1'])
  assert.equal(store.listRuns({limit: 1}).map(r => r.adw_id), ['r2'])
  assert.equal(store.recentRunIds(), ['r2', 'r1'])
  try {
    store.finishRun('ghost', 'failed')
    assert.unreachable()
  } catch (error) {
    assert.is((error as AdwError).code, 'RUN_NOT_FOUND')
  }
  store.close()
})

test('log rows are batched: invisible to others until flush, then all there with JSON details', () => {
  const {db} = tempDb()
  const store = openStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  store.createRun(newRun('x'))
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  store.log({adwId: 'x', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'step started', details: {executor: 'shell', n: 1}})
  store.log({adwId: 'x', level: 'DEBUG', type: 'output', message: 'no details', details: undefined})
  store.log({adwId: 'x', level: 'ERROR', type: 'error', message: 'cyclic', details: cycle})
  for (let i = 0; i < 997; i++) store.log({adwId: 'x', stepName: 'build', iteration: 1, level: 'INFO', type: 'output', message: `line ${i}`})

  const reader = openStore(db)
  assert.is(reader.queryLogs({adwId: 'x'}).length, 0, 'nothing written before flush')
  store.flush()
  const rows = reader.queryLogs({adwId: 'x'})
  assert.is(rows.length, 1000)
  assert.equal(JSON.parse(rows[0].details!), {executor: 'shell', n: 1})
  assert.is(rows[0].step_name, 'plan')
  assert.is(rows[1].details, null)
  assert.is(rows[1].step_name, null)
  assert.match(JSON.parse(rows[2].details!).unserializable, /circular/i)
  assert.equal(rows.slice(3).map(r => r.message), Array.from({length: 997}, (_, i) => `line ${i}`))
  assert.ok(rows.every(r => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.created_at)))
  reader.close()
  store.close()
})

test('the buffer flushes itself at the batch size, on its timer, at finishRun and at close', async () => {
  const {db} = tempDb()
  const store = openStore(db, {batchSize: 50, flushIntervalMs: 40})
  const reader = openStore(db)
  store.createRun(newRun('x'))
  const log = (n: number) => {
    for (let i = 0; i < n; i++) store.log({adwId: 'x', level: 'INFO', type: 'output', message: 'm'})
  }
  log(120)
  assert.is(reader.queryLogs({adwId: 'x'}).length, 100, 'two full batches written')
  await new Promise(r => setTimeout(r, 120))
  assert.is(reader.queryLogs({adwId: 'x'}).length, 120, 'the timer wrote the rest')
  log(3)
  store.finishRun('x', 'succeeded')
  assert.is(reader.queryLogs({adwId: 'x'}).length, 123, 'finishRun commits buffered rows with the status')
  log(4)
  store.close()
  assert.is(reader.queryLogs({adwId: 'x'}).length, 127, 'close flushes')
  reader.close()
})

test('a process that exits without close still writes its buffered rows', async () => {
  const {dir, db} = tempDb()
  const child = await runChild(dir, 'exit-early', `
    import {openStore} from ${JSON.stringify(SRC_STORE)}
    const s = openStore(${JSON.stringify(db)}, {flushIntervalMs: 60_000})
    for (let i = 0; i < 42; i++) s.log({adwId: 'gone', level: 'INFO', type: 'output', message: 'x' + i})
    process.exit(3)
  `)
  assert.is(child.exitCode, 3, child.stderr)
  const store = openStore(db)
  assert.is(store.queryLogs({adwId: 'gone'}).length, 42)
  store.close()
})

test('log() refuses an invalid level or type at the call site', () => {
  const {db} = tempDb()
  const store = openStore(db)
  assert.throws(() => store.log({adwId: 'x', level: 'info' as never, type: 'output', message: 'm'}), /Invalid log level "info"/)
  assert.throws(() => store.log({adwId: 'x', level: 'INFO', type: 'stdout' as never, message: 'm'}), /Invalid log type "stdout"/)
  store.flush()
  assert.is(store.queryLogs({adwId: 'x'}).length, 0)
  store.close()
})

test('queryLogs: filters, minimum level, last N in chronological order, afterId', () => {
  const {db} = tempDb()
  const store = openStore(db)
  store.createRun(newRun('q'))
  const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const
  for (let i = 0; i < 20; i++) {
    store.log({adwId: 'q', stepName: i % 2 ? 'odd' : 'even', level: levels[i % 5], type: i % 4 === 0 ? 'milestone' : 'output', message: String(i)})
  }
  store.log({adwId: 'other', level: 'ERROR', type: 'error', message: 'not mine'})
  store.flush()
  const msgs = (q: Parameters<typeof store.queryLogs>[0]) => store.queryLogs(q).map(r => Number(r.message))
  assert.equal(msgs({adwId: 'q'}), Array.from({length: 20}, (_, i) => i))
  assert.equal(msgs({adwId: 'q', limit: 3}), [17, 18, 19])
  assert.equal(msgs({adwId: 'q', level: 'ERROR'}), [3, 8, 13, 18])
  assert.equal(msgs({adwId: 'q', minLevel: 'ERROR'}), [3, 4, 8, 9, 13, 14, 18, 19])
  assert.equal(msgs({adwId: 'q', minLevel: 'DEBUG'}).length, 20)
  assert.equal(msgs({adwId: 'q', step: 'odd', type: 'output'}), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
  assert.equal(msgs({adwId: 'q', type: 'milestone', limit: 2}), [12, 16])
  const all = store.queryLogs({adwId: 'q'})
  assert.equal(msgs({adwId: 'q', afterId: all[16].id}), [17, 18, 19])
  assert.equal(msgs({adwId: 'q', afterId: all[19].id}), [])
  store.close()
})

test('effectiveStatus: a running run whose process is gone is interrupted; resuming claims it', async () => {
  const {dir, db} = tempDb()
  const child = await runChild(dir, 'dies', `
    import {openStore} from ${JSON.stringify(SRC_STORE)}
    const s = openStore(${JSON.stringify(db)})
    s.createRun({adwId: 'dead', pipelineName: 'p', pipelineFile: 'p.yaml', pipelineSnapshot: '', inputs: {}, workingDir: '.'})
    process.kill(process.pid, 'SIGKILL')
  `)
  assert.is(child.signal, 'SIGKILL')
  const store = openStore(db)
  const dead = store.getRun('dead')!
  assert.is(dead.status, 'running')
  assert.is(effectiveStatus(dead), 'interrupted')
  assert.is(effectiveStatus({...dead, host: 'some-other-host'}), 'running', 'another host is taken at its word')
  store.setRunStatus('dead', 'running', {error: null})
  assert.is(store.getRun('dead')!.pid, process.pid)
  assert.is(effectiveStatus(store.getRun('dead')!), 'running')
  store.finishRun('dead', 'cancelled')
  assert.is(effectiveStatus(store.getRun('dead')!), 'cancelled')
  store.close()
})

test.run()
