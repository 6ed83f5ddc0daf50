import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {setTimeout as sleep} from 'node:timers/promises'

import {startDashboard} from '../../src/dashboard/server.js'
import {rmDir} from '../helpers/cli.js'
import {adwIn, BLOCK_ONCE, killPidFile, project, rows, shownStatus, spawnAdw, stepRuns, waitForFile} from '../resume/resume.helpers.js'

const SLOW = `name: slow
steps:
  - id: first
    uses: shell
    with:
      run: echo first
  - id: long
    uses: shell
    with:
      run: |
        ${BLOCK_ONCE()}
  - id: last
    uses: shell
    with:
      run: echo last
`

test('adw cancel: the running adw process gets SIGTERM, exits 130, the run is cancelled and the request is in its log; resume finishes it', async () => {
  const {dir, db} = project(SLOW)
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'cx', '--db', db])
    await waitForFile(dir, 'ready')
    const r = await adwIn(dir, ['cancel', '--adw-id', 'cx', '--db', db])
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`Sent SIGTERM to adw process ${sub.pid} \\(run cx\\)`))
    assert.match(r.stdout, /Run cx cancelled\. Continue it with: adw run --resume --adw-id cx/)
    const run = await sub
    assert.is(run.exitCode, 130)
    assert.equal(stepRuns(db), ['first#0:succeeded', 'long#0:cancelled'])
    const request = rows(db, "SELECT log_level, log_type, message, details FROM agent_logs WHERE adw_id = 'cx' AND message LIKE 'Cancel requested%'")
    assert.is(request.length, 1)
    assert.equal({...request[0], details: JSON.parse(request[0].details)}, {log_level: 'WARNING', log_type: 'state_change', message: `Cancel requested by adw cancel: SIGTERM to adw process ${sub.pid}`, details: {by: 'adw cancel', pid: sub.pid, signal: 'SIGTERM'}})
    const again = await adwIn(dir, ['cancel', '--adw-id', 'cx', '--db', db])
    assert.is(again.exitCode, 2)
    assert.match(again.stderr, /Error: Run "cx" is cancelled, not running: there is nothing to cancel\.\nTry: continue it instead: adw run --resume --adw-id cx/)
    assert.is((await adwIn(dir, ['run', '--resume', '--adw-id', 'cx', '--db', db])).exitCode, 0)
    assert.is(await shownStatus(dir, db, 'cx'), 'succeeded')
    const unknown = await adwIn(dir, ['cancel', '--adw-id', 'nope', '--db', db])
    assert.is(unknown.exitCode, 2)
    assert.match(unknown.stderr, /No run with adw_id "nope"/)
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test('the dashboard cancel goes the same way (recorded "by adw ui"); a run no longer running is refused with 409', async () => {
  const {dir, db} = project(SLOW)
  const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'web', '--db', db])
  try {
    await waitForFile(dir, 'ready')
    const ui = await startDashboard({dbPath: db, port: 0})
    try {
      const res = await fetch(`${ui.origin}/api/runs/web/cancel`, {method: 'POST', headers: {origin: ui.origin}})
      assert.is(res.status, 202)
      assert.equal(await res.json(), {cancel: {adwId: 'web', pid: sub.pid, by: 'adw ui'}})
      assert.is((await sub).exitCode, 130)
      const deadline = Date.now() + 10_000
      while ((await (await fetch(`${ui.origin}/api/runs/web`)).json()).run.status !== 'cancelled') {
        assert.ok(Date.now() < deadline, 'the run shows cancelled within 10 s')
        await sleep(100)
      }
      assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message = ?", `Cancel requested by adw ui: SIGTERM to adw process ${sub.pid}`)[0].n, 1)
      const again = await fetch(`${ui.origin}/api/runs/web/cancel`, {method: 'POST', headers: {origin: ui.origin}})
      assert.is(again.status, 409)
      assert.match((await again.json()).error.message, /is cancelled, not running/)
    } finally {
      await ui.close()
    }
  } finally {
    sub.kill('SIGKILL')
    killPidFile(dir)
    rmDir(dir)
  }
})

test.run()
