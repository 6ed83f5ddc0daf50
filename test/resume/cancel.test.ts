import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir} from '../helpers/cli.js'
import {adwIn, BLOCK_ONCE, killPidFile, markers, processGone, project, rows, shownStatus, spawnAdw, sqlite3, stepRuns, waitForFile, waitGone} from './resume.helpers.js'

const SLOW = (trap = '') => `name: slow
steps:
  - id: first
    uses: shell
    with:
      run: echo x >> ran-first
  - id: long
    uses: shell
    with:
      run: |
        ${trap}
        echo x >> ran-long
        ${BLOCK_ONCE()}
  - id: last
    uses: shell
    with:
      run: echo x >> ran-last
`

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during a long step: exit 130 within seconds, the shell's grandchild gone, cancelled in adw logs and adw runs; then resume finishes the run`, async () => {
    const {dir, db} = project(SLOW())
    try {
      const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'cx', '--db', db])
      await waitForFile(dir, 'ready')
      const sleeper = Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))
      assert.ok(!processGone(sleeper))
      const t = Date.now()
      process.kill(sub.pid!, signal)
      const r = await sub
      assert.ok(Date.now() - t < 10_000, `exited ${Date.now() - t} ms after ${signal}`)
      assert.is(r.exitCode, 130, String(r.stderr))
      assert.match(String(r.stderr), signal === 'SIGINT' ? /Ctrl-C: cancelling the run/ : /SIGTERM: cancelling the run/)
      assert.ok(await waitGone(sleeper), 'the sleep started by the step is gone')

      assert.equal(stepRuns(db), ['first#0:succeeded', 'long#0:cancelled'])
      const logs = await adwIn(dir, ['logs', '--adw-id', 'cx', '--db', db])
      assert.match(logs.stdout, /WARNING\s+milestone\s+Step long cancelled/)
      assert.match(logs.stdout, /milestone\s+Run cancelled: slow/)
      assert.is(await shownStatus(dir, db, 'cx'), 'cancelled')
      assert.is(sqlite3(db, "SELECT count(*) FROM agent_logs WHERE adw_id = 'cx' AND log_type = 'milestone' AND message LIKE 'Run cancelled%'"), '1')

      const again = await adwIn(dir, ['run', '--resume', '--adw-id', 'cx', '--db', db])
      assert.is(again.exitCode, 0, again.stderr + again.stdout)
      assert.equal(markers(dir), {'ran-first': 1, 'ran-last': 1, 'ran-long': 2})
      assert.equal(stepRuns(db), ['first#0:succeeded', 'long#0:cancelled', 'long#0:succeeded', 'last#0:succeeded'])
      assert.is(JSON.parse(rows(db, "SELECT details FROM agent_logs WHERE message LIKE 'Run resumed:%'")[0].details).previousStatus, 'cancelled')
      assert.is(await shownStatus(dir, db, 'cx'), 'succeeded')
    } finally {
      killPidFile(dir)
      rmDir(dir)
    }
  })
}

test('a second Ctrl-C exits at once even when the step ignores SIGTERM: run and step recorded cancelled, buffered logs kept, children killed', async () => {
  const {dir, db} = project(SLOW("trap '' TERM"))
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'twice', '--db', db])
    await waitForFile(dir, 'ready')
    const sleeper = Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))
    process.kill(sub.pid!, 'SIGINT')
    await new Promise(r => setTimeout(r, 400))
    assert.ok(!processGone(sleeper), 'the step ignores SIGTERM, so the first Ctrl-C is still waiting')
    const t = Date.now()
    process.kill(sub.pid!, 'SIGINT')
    const r = await sub
    assert.ok(Date.now() - t < 5000, `exited ${Date.now() - t} ms after the second Ctrl-C`)
    assert.is(r.exitCode, 130)
    assert.ok(await waitGone(sleeper), 'the step’s process group was killed on the way out')
    assert.equal(stepRuns(db), ['first#0:succeeded', 'long#0:cancelled'])
    const run = {...rows(db, 'SELECT status, error FROM runs')[0]}
    assert.equal(run, {status: 'cancelled', error: 'cancelled: exited at once on a second interrupt'})
    assert.is(await shownStatus(dir, db, 'twice'), 'cancelled')
    assert.ok(rows(db, "SELECT 1 FROM agent_logs WHERE message = 'Step long started'").length === 1, 'rows buffered before the exit were flushed')
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')

    const again = await adwIn(dir, ['run', '--resume', '--adw-id', 'twice', '--db', db])
    assert.is(again.exitCode, 0, again.stderr)
    assert.equal(markers(dir), {'ran-first': 1, 'ran-last': 1, 'ran-long': 2})
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test.run()
