import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {openSqliteStore} from '../../src/store/sqlite.js'
import {newRun, rejects, tempDb} from './fixtures.js'

// A step's end and the current step ride the next transaction (the engine flushes right after),
// so a step costs two commits fewer; current_step is also written at most every 250 ms.
test('finishStep and setCurrentStep reach other connections at flush; this store reads them at once', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  const reader = openSqliteStore(db)
  await store.createRun(newRun('r'))
  const id = await store.startStep({adwId: 'r', stepId: 'plan', iteration: 0})
  await store.setCurrentStep('r', 'plan')
  await store.finishStep(id, {status: 'succeeded', outputs: {ok: true}})
  assert.is((await reader.listSteps('r'))[0].status, 'running', 'not yet written')
  store.log({adwId: 'r', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'Step plan succeeded'})
  await store.flush()
  const [row] = await reader.listSteps('r')
  assert.is(row.status, 'succeeded')
  assert.equal(JSON.parse(row.outputs!), {ok: true})
  assert.type(row.duration_ms, 'number', 'the duration is recorded')
  assert.is(Date.parse(row.finished_at!) - Date.parse(row.started_at), row.duration_ms, 'finished_at - started_at')
  assert.is((await reader.getRun('r'))!.current_step, 'plan')
  assert.is((await reader.queryLogs({adwId: 'r'})).length, 1)

  // A burst of steps: the last current step is what this store reads, and what close() leaves.
  for (let i = 0; i < 5; i++) await store.setCurrentStep('r', `s${i}`)
  assert.is((await store.getRun('r'))!.current_step, 's4')
  await store.setCurrentStep('r', 'late')
  await store.finishRun('r', 'succeeded')
  assert.is((await reader.getRun('r'))!.current_step, null, 'a finished run has no current step, even after a pending one')
  await store.close()
  assert.is((await reader.getRun('r'))!.current_step, null)
  await reader.close()
})

test('finishStep of an unknown row throws at once, and a failed write loses nothing queued', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db)
  await store.createRun(newRun('r'))
  await rejects(store.finishStep(999, {status: 'succeeded'}), /no step row 999/)
  const id = await store.startStep({adwId: 'r', stepId: 'a', iteration: 0})
  await store.finishStep(id, {status: 'failed', error: 'boom'})
  store.log({adwId: 'r', level: 'INFO', type: 'milestone', message: 'x'})
  await rejects(store.finishRun('ghost', 'failed'), /ghost/)
  await store.flush()
  assert.is((await store.listSteps('r'))[0].error, 'boom')
  assert.is((await store.queryLogs({adwId: 'r'})).length, 1)
  await store.close()
})

test('log rows go in multi-row inserts without loss or reordering', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  await store.createRun(newRun('r'))
  for (let i = 0; i < 123; i++) store.log({adwId: 'r', level: 'INFO', type: 'output', message: `line ${i}`, details: i % 2 ? {i} : undefined})
  await store.flush()
  const rows = await store.queryLogs({adwId: 'r'})
  assert.equal(rows.map(r => r.message), Array.from({length: 123}, (_, i) => `line ${i}`))
  assert.equal(rows.map(r => r.details), Array.from({length: 123}, (_, i) => (i % 2 ? JSON.stringify({i}) : null)))
  await store.close()
})

test.run()
