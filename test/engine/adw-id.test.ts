import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {newAdwId} from '../../src/engine/start.js'

test('a fresh adw id is 8 hex digits, and one already in the database is never handed out', async () => {
  const tried: string[] = []
  // The first three candidates are "taken": the fourth is returned.
  const id = await newAdwId(candidate => {
    tried.push(candidate)
    return tried.length <= 3
  })
  assert.is(tried.length, 4)
  assert.is(id, tried[3])
  for (const t of tried) assert.match(t, /^[0-9a-f]{8}$/)
})

test('fresh adw ids differ from run to run', async () => {
  const ids = new Set(await Promise.all(Array.from({length: 1000}, () => newAdwId(() => false))))
  assert.ok(ids.size >= 999, `${ids.size} distinct of 1000`)
})

test.run()
