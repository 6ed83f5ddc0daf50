import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir} from '../helpers/cli.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {runDetail} from '../../src/history/run-detail.js'
import {newRun, tempDb} from '../store/fixtures.js'

test('a step run is shown reused only when it succeeded before the last resume and did not run again since', async () => {
  const {dir, db} = tempDb()
  const store = openSqliteStore(db)
  try {
    await store.createRun(newRun('r'))
    for (const id of ['plan', 'build']) await store.finishStep(await store.startStep({adwId: 'r', stepId: id, iteration: 0}), {status: 'succeeded', outputs: {}})
    await store.flush()
    await new Promise(r => setTimeout(r, 5))
    store.log({adwId: 'r', level: 'INFO', type: 'milestone', message: 'Run resumed: demo'})
    await store.flush()
    await new Promise(r => setTimeout(r, 5))
    // build's key changed: it ran again after the resume; plan was reused.
    await store.finishStep(await store.startStep({adwId: 'r', stepId: 'build', iteration: 0}), {status: 'succeeded', outputs: {}})
    const steps = (await runDetail(store, 'r'))!.steps.map(s => `${s.stepId}:${s.reused ? 'reused' : 'ran'}`)
    assert.equal(steps, ['plan:reused', 'build:ran', 'build:ran'])
  } finally {
    await store.close()
    rmDir(dir)
  }
})

test.run()
