// Liveness of the process driving a run (src/store/status.ts), called directly: a pid on this host,
// a heartbeat under STALE_HEARTBEAT_MS on another, and the RUN_LOCKED error naming the driver.
import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {effectiveStatus, lockedError, ownerAlive, pidAlive, STALE_HEARTBEAT_MS} from '../../src/store/status.js'
import {waitingFor} from '../helpers/deadline.js'

const HERE = hostname()
const now = Date.parse('2026-11-29T12:00:00.000Z')
const ago = (ms: number) => new Date(now - ms).toISOString()
const run = (over: Record<string, unknown> = {}) => ({adw_id: 'r1', status: 'running', pid: 4242, host: 'build-box-7', heartbeat_at: ago(1000), ...over}) as any

test('the stale threshold is 60 s, as the README says', () => {
  assert.is(STALE_HEARTBEAT_MS, 60_000)
})

test('pidAlive: this process yes; a finished child no; pid 1 (not ours) yes', async () => {
  assert.ok(pidAlive(process.pid))
  const child = await waitingFor('a short child process', execa('true'))
  assert.not.ok(pidAlive(child.pid!))
  assert.ok(pidAlive(1), 'EPERM or ours: alive either way')
})

test('pidAlive: a zombie (killed, not reaped) is dead', async () => {
  // The shell's first child exits at once; the shell then becomes `sleep`, which never reaps it.
  const sub = execa('sh', ['-c', '/bin/sleep 0 & exec /bin/sleep 30'], {detached: true, reject: false})
  try {
    let zombie = 0
    for (let i = 0; i < 250 && !zombie; i++) {
      await new Promise(r => setTimeout(r, 20))
      const children = readFileSync(`/proc/${sub.pid}/task/${sub.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
      zombie = children.find(pid => readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ')) ?? 0
    }
    assert.ok(zombie > 0, 'a zombie child appeared')
    assert.not.ok(pidAlive(zombie))
  } finally {
    process.kill(-sub.pid!, 'SIGKILL')
    await sub
  }
})

test('ownerAlive on another host: a heartbeat under 60 s is alive, older is not; none is taken at its word; no pid is never alive', () => {
  assert.ok(ownerAlive(run({heartbeat_at: ago(0)}), now))
  assert.ok(ownerAlive(run({heartbeat_at: ago(59_999)}), now))
  assert.not.ok(ownerAlive(run({heartbeat_at: ago(60_000)}), now))
  assert.not.ok(ownerAlive(run({heartbeat_at: ago(3_600_000)}), now))
  assert.ok(ownerAlive(run({heartbeat_at: null}), now))
  assert.ok(ownerAlive(run({heartbeat_at: undefined}), now))
  assert.not.ok(ownerAlive(run({pid: null}), now))
  // A heartbeat from the future (clocks disagree) is fresh.
  assert.ok(ownerAlive(run({heartbeat_at: ago(-30_000)}), now))
})

test('ownerAlive on this host: the pid decides, whatever the heartbeat says', async () => {
  assert.ok(ownerAlive(run({host: HERE, pid: process.pid, heartbeat_at: ago(3_600_000)}), now))
  const child = await waitingFor('a short child process', execa('true'))
  assert.not.ok(ownerAlive(run({host: HERE, pid: child.pid, heartbeat_at: ago(0)}), now))
})

test('effectiveStatus: running with a dead owner is interrupted; other statuses are kept; no pid keeps running', async () => {
  const child = await waitingFor('a short child process', execa('true'))
  const dead = {status: 'running', pid: child.pid!, host: HERE} as any
  assert.is(effectiveStatus(dead), 'interrupted')
  assert.is(effectiveStatus({...dead, pid: process.pid}), 'running')
  assert.is(effectiveStatus({...dead, host: 'build-box-7', heartbeat_at: new Date(Date.now() - 90_000).toISOString()}), 'interrupted')
  assert.is(effectiveStatus({...dead, host: 'build-box-7', heartbeat_at: new Date(Date.now() - 20_000).toISOString()}), 'running')
  assert.is(effectiveStatus({...dead, pid: null}), 'running')
  for (const status of ['succeeded', 'failed', 'cancelled'] as const) assert.is(effectiveStatus({...dead, status}), status)
})

test('lockedError: RUN_LOCKED, exit 2, naming pid, host, the heartbeat age, the database and what to do', () => {
  const e = lockedError(run({heartbeat_at: new Date(Date.now() - 12_000).toISOString()}), '/x/adw.db')
  assert.is(e.code, 'RUN_LOCKED')
  assert.is(e.exitCode, 2)
  assert.match(e.message, /^Run "r1" is still being driven by adw process 4242 on build-box-7, last heartbeat 1[2-9] s ago \(\/x\/adw\.db\); two processes must never drive one run\.$/)
  assert.equal(e.suggestions, ['watch it: adw logs --adw-id r1 --follow', 'or stop it first (kill -INT 4242), then: adw run --resume --adw-id r1'])
  const noBeat = lockedError(run({heartbeat_at: null, host: null}), '/x/adw.db')
  assert.is(noBeat.message, 'Run "r1" is still being driven by adw process 4242 on an unknown host (/x/adw.db); two processes must never drive one run.')
  const future = lockedError(run({heartbeat_at: new Date(Date.now() + 30_000).toISOString()}), '/x/adw.db')
  assert.match(future.message, 'last heartbeat 0 s ago')
})

test.run()
