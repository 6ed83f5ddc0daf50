import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir} from '../helpers/cli.js'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {adwIn, BLOCK_ONCE, killPidFile, markers, project, rows, spawnAdw, sqlite3, stepRuns, waitForFile} from './resume.helpers.js'

/**
 * A loop whose `check` step has continueOnError and blocks once, in iteration 1, until the test
 * kills adw. `until` reads check's output: if the interrupted check counted as done on resume (as a
 * continueOnError failure would), there would be no output to read and the run would fail.
 */
const PIPELINE = `name: flaky-loop
steps:
  - id: fix_loop
    loop: {maxAttempts: 3, until: 'has(steps.check.outputs.stdout) && steps.check.outputs.stdout == "ok"'}
    steps:
      - id: bump
        uses: shell
        with:
          run: echo x >> ran-bump
      - id: check
        uses: shell
        continueOnError: true
        with:
          run: |
            echo x >> ran-check
            ${BLOCK_ONCE()}
            echo ok
  - id: after
    uses: shell
    with:
      run: echo x >> ran-after
`

test('kill -9 during a continueOnError step in a loop: the step is recorded interrupted, and --resume runs it again and completes the run', async () => {
  const {dir, db} = project(PIPELINE)
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'cut', '--db', db])
    await waitForFile(dir, 'ready')
    process.kill(sub.pid!, 'SIGKILL')
    assert.is((await sub).signal, 'SIGKILL')
    assert.equal(stepRuns(db), ['bump#1:succeeded', 'check#1:running'], 'the dead process left its step running')

    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'cut', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(stepRuns(db), ['bump#1:succeeded', 'check#1:interrupted', 'check#1:succeeded', 'after#0:succeeded'])
    const cut = rows(db, "SELECT error FROM steps WHERE status = 'interrupted'")[0]
    assert.match(cut.error, /^interrupted: adw process \d+ on .+ stopped while this step was running; it runs again on resume$/)
    // bump ran once (reused), check twice (the interrupted one ran again), the loop held at iteration 1.
    assert.equal(markers(dir), {'ran-after': 1, 'ran-bump': 1, 'ran-check': 2})
    assert.equal({...rows(db, 'SELECT status, error FROM runs')[0]}, {status: 'succeeded', error: null})
    assert.match(r.stdout, /check · attempt 1\/3/)
    assert.not.match(r.stdout, /check[^\n]*not run again/)

    // The history shows it: the resumed run's log names the interrupted step; --json counts it.
    const logs = await adwIn(dir, ['logs', '--adw-id', 'cut', '--db', db, '--step', 'check'])
    assert.match(logs.stdout, /check#1\s+WARNING\s+state_change\s+Step check \(iteration 1\) was interrupted: its adw process stopped while it ran; it runs again/)
    const json = await adwIn(dir, ['runs', '--db', db, '--json'])
    const run = JSON.parse(json.stdout.split('\n')[0])
    assert.equal(run.steps, {total: 4, succeeded: 3, failed: 0, skipped: 0, running: 0, cancelled: 0, interrupted: 1})
    const table = await adwIn(dir, ['runs', '--db', db])
    assert.match(table.stdout, /cut\s+flaky-loop\s+succeeded\s.*\s3\/4, 1 interrupted\s/)
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test('a continueOnError step that failed runs again on resume (a failure is never replayed from the record); what follows sees its new outputs', async () => {
  const {dir, db} = project(`name: keep
steps:
  - id: flaky
    uses: shell
    continueOnError: true
    with:
      run: echo x >> ran-flaky; test -e fixed || exit 3; echo ok
  - id: stop
    uses: shell
    with:
      run: echo x >> ran-stop; test -e go || exit 1; echo "flaky said {{steps.flaky.outputs.stdout}}"
`)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'k', '--db', db])
    assert.is(first.exitCode, 1, first.stderr)
    const again = await adwIn(dir, ['run', '--resume', '--adw-id', 'k', '--db', db])
    assert.is(again.exitCode, 1, again.stderr)
    assert.match(again.stdout, /flaky.*re-run: failed before/)
    assert.equal(markers(dir), {'ran-flaky': 2, 'ran-stop': 2})
    writeFileSync(join(dir, 'fixed'), '')
    writeFileSync(join(dir, 'go'), '')
    const done = await adwIn(dir, ['run', '--resume', '--adw-id', 'k', '--db', db])
    assert.is(done.exitCode, 0, done.stderr + done.stdout)
    assert.equal(markers(dir), {'ran-flaky': 3, 'ran-stop': 3})
    assert.equal(stepRuns(db), ['flaky#0:failed', 'stop#0:failed', 'flaky#0:failed', 'stop#0:failed', 'flaky#0:succeeded', 'stop#0:succeeded'])
    assert.is(JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'stop' AND status = 'succeeded'")[0].outputs).stdout, 'flaky said ok')
  } finally {
    rmDir(dir)
  }
})

test.run()
