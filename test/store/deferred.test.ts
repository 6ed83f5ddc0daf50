import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {openStore} from '../../src/store/sqlite.js'
import {newRun, tempDb} from './fixtures.js'

// A step's end and the current step ride the next transaction (the engine flushes right after),
// so a step costs two commits fewer; current_step is also written at most every 250 ms.
test('finishStep and setCurrentStep reach other connections at flush; this store reads them at once', () => {
  const {db} = tempDb()
  const store = openStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  const reader = openStore(db)
  store.createRun(newRun('r'))
  const id = store.startStep({adwId: 'r', stepId: 'plan', iteration: 0})
  store.setCurrentStep('r', 'plan')
  store.finishStep(id, {status: 'succeeded', outputs: {ok: true}})
  assert.is(reader.listSteps('r')[0].status, 'running', 'not yet written')
  store.log({adwId: 'r', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'Step plan succeeded'})
  store.flush()
  const [row] = reader.listSteps('r')
  assert.is(row.status, 'succeeded')
  assert.equal(JSON.parse(row.outputs!), {ok: true})
  assert.type(row.duration_ms, 'number', 'the duration is recorded')
  assert.is(Date.parse(row.finished_at!) - Date.parse(row.started_at), row.duration_ms, 'finished_at - started_at')
  assert.is(reader.getRun('r')!.current_step, 'plan')
  assert.is(reader.queryLogs({adwId: 'r'}).length, 1)

  // A burst of steps: the last current step is what this store reads, and what close() leaves.
  for (let i = 0; i < 5; i++) store.setCurrentStep('r', `s${i}`)
  assert.is(store.getRun('r')!.current_step, 's4')
  store.setCurrentStep('r', 'late')
  store.finishRun('r', 'succeeded')
  assert.is(reader.getRun('r')!.current_step, null, 'a finished run has no current step, even after a pending one')
  store.close()
  assert.is(reader.getRun('r')!.current_step, null)
  reader.close()
})

test('finishStep of an unknown row throws at once, and a failed write loses nothing queued', () => {
  const {db} = tempDb()
  const store = openStore(db)
  store.createRun(newRun('r'))
  assert.throws(() => store.finishStep(999, {status: 'succeeded'}), /no step row 999/)
  const id = store.startStep({adwId: 'r', stepId: 'a', iteration: 0})
  store.finishStep(id, {status: 'failed', error: 'boom'})
  store.log({adwId: 'r', level: 'INFO', type: 'milestone', message: 'x'})
  assert.throws(() => store.finishRun('ghost', 'failed'), /ghost/)
  store.flush()
  assert.is(store.listSteps('r')[0].error, 'boom')
  assert.is(store.queryLogs({adwId: 'r'}).length, 1)
  store.close()
})

test('log rows go in multi-row inserts without loss or reordering', () => {
  const {db} = tempDb()
  const store = openStore(db, {batchSize: 10_000, flushIntervalMs: 60_000})
  store.createRun(newRun('r'))
  for (let i = 0; i < 123; i++) store.log({adwId: 'r', level: 'INFO', type: 'output', message: `line ${i}`, details: i % 2 ? {i} : undefined})
  store.flush()
  const rows = store.queryLogs({adwId: 'r'})
  assert.equal(rows.map(r => r.message), Array.from({length: 123}, (_, i) => `line ${i}`))
  assert.equal(rows.map(r => r.details), Array.from({length: 123}, (_, i) => (i % 2 ? JSON.stringify({i}) : null)))
  store.close()
})

test.run()
