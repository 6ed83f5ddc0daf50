import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir} from '../helpers/cli.js'
import {adwIn, BLOCK_ONCE, killPidFile, markers, processGone, project, rows, shownStatus, spawnAdw, sqlite3, stepRuns, waitForFile, waitGone} from './resume.helpers.js'

/**
 * init, then a loop (bump, check) until check reports iteration 3, then after. Each step appends to
 * ran-<step>-<iteration>; the iteration is 1 + the number of completed checks (file `checks`).
 * The step named `blockIn` blocks once, in iteration 2, until the test kills adw.
 */
const LOOP = (blockIn: 'bump' | 'check') => `name: crashy
steps:
  - id: init
    uses: shell
    with:
      run: echo x >> ran-init
  - id: fix_loop
    loop: {maxAttempts: 4, until: 'int(steps.check.outputs.stdout) >= 3'}
    steps:
      - id: bump
        uses: shell
        with:
          run: |
            it=$(( $(cat checks 2>/dev/null | wc -l) + 1 ))
            echo x >> ran-bump-$it
            ${blockIn === 'bump' ? `if [ $it = 2 ]; then ${BLOCK_ONCE()}; fi` : ':'}
      - id: check
        uses: shell
        with:
          run: |
            it=$(( $(cat checks 2>/dev/null | wc -l) + 1 ))
            echo x >> ran-check-$it
            ${blockIn === 'check' ? `if [ $it = 2 ]; then ${BLOCK_ONCE()}; fi` : ':'}
            echo $it >> checks
            echo $it
  - id: after
    uses: shell
    with:
      run: echo x >> ran-after
`

for (const blockIn of ['check', 'bump'] as const) {
  test(`kill -9 during ${blockIn} in the loop's 2nd iteration: interrupted, db intact, resume continues at iteration 2 without re-running anything completed`, async () => {
    const {dir, db} = project(LOOP(blockIn))
    try {
      const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'crash-1', '--db', db])
      await waitForFile(dir, 'ready')
      const sleeper = Number(readFileSync(join(dir, 'sleep.pid'), 'utf8'))
      process.kill(sub.pid!, 'SIGKILL')
      const killed = await sub
      assert.is(killed.signal, 'SIGKILL')

      // Between kill and resume: the run shows as interrupted, the database is intact.
      assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'running', 'stored as running (nobody recorded the death)')
      assert.is(await shownStatus(dir, db, 'crash-1'), 'interrupted')
      const table = await adwIn(dir, ['runs', '--db', db])
      assert.match(table.stdout, /crash-1\s+crashy\s+interrupted/)
      const logs = await adwIn(dir, ['logs', '--adw-id', 'crash-1', '--db', db])
      assert.match(logs.stderr, /run crash-1 interrupted: its process \(pid \d+ on .+\) is gone\. Continue it with: adw run --resume --adw-id crash-1/)
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
      assert.ok(!processGone(sleeper), 'kill -9 does not reach the step’s detached process group')

      const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'crash-1', '--db', db])
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
      // Side effects: what completed ran once; the step in progress ran again; the loop went on from iteration 2.
      const expected: Record<string, number> = {'ran-after': 1, 'ran-bump-1': 1, 'ran-bump-2': 1, 'ran-bump-3': 1, 'ran-check-1': 1, 'ran-check-2': 1, 'ran-check-3': 1, 'ran-init': 1}
      expected[`ran-${blockIn}-2`] = 2
      assert.equal(markers(dir), expected)
      assert.equal(readFileSync(join(dir, 'checks'), 'utf8').trim().split('\n'), ['1', '2', '3'])
      assert.ok(await waitGone(sleeper), 'the dead run’s leftover sleep was stopped on resume')

      const interrupted = rows(db, "SELECT step_id, iteration, error FROM steps WHERE status = 'interrupted'")
      assert.is(interrupted.length, 1)
      assert.is(`${interrupted[0].step_id}#${interrupted[0].iteration}`, `${blockIn}#2`)
      assert.match(interrupted[0].error, /^interrupted: adw process \d+ on .+ stopped while this step was running/)
      assert.is(rows(db, "SELECT count(*) AS n FROM steps WHERE status IN ('running', 'failed')")[0].n, 0)
      const runs = stepRuns(db).filter(s => !s.endsWith(':interrupted'))
      assert.equal(runs, blockIn === 'check'
        ? ['init#0:succeeded', 'bump#1:succeeded', 'check#1:succeeded', 'bump#2:succeeded', 'check#2:succeeded', 'bump#3:succeeded', 'check#3:succeeded', 'after#0:succeeded']
        : ['init#0:succeeded', 'bump#1:succeeded', 'check#1:succeeded', 'bump#2:succeeded', 'check#2:succeeded', 'bump#3:succeeded', 'check#3:succeeded', 'after#0:succeeded'])
      const run = rows(db, 'SELECT status, pid, error, current_step FROM runs')[0]
      assert.equal({status: run.status, error: run.error, current_step: run.current_step}, {status: 'succeeded', error: null, current_step: null})

      // The resumed view shows reused steps as skipped, with the reason.
      assert.match(r.stdout, /init \[SKIPPED: reused: key unchanged\]/)
      assert.match(r.stdout, /bump · attempt 1\/4 \[SKIPPED: reused: key unchanged\]/)
      // One `Run resumed` milestone naming what happened; iteration 1's milestones are not written twice.
      const resumed = rows(db, "SELECT details FROM agent_logs WHERE log_type = 'milestone' AND message LIKE 'Run resumed:%'")
      assert.is(resumed.length, 1)
      const details = JSON.parse(resumed[0].details)
      assert.is(details.previousStatus, 'interrupted')
      assert.equal(details.interruptedSteps, [`${blockIn}#2`])
      assert.ok(details.stoppedLeftoverProcesses.includes(sleeper))
      assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message LIKE 'Loop fix_loop: iteration 1/4 started'")[0].n, 1)
      assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message = 'Loop fix_loop: 1 iteration(s) completed before (outputs reused); continuing at iteration 2'")[0].n, 1)
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
    } finally {
      killPidFile(dir)
      rmDir(dir)
    }
  })
}

test('kill -9 at arbitrary moments: integrity_check stays ok and the run always resumes to success', async () => {
  const steps = Array.from({length: 12}, (_, i) => `  - id: s${i}
    uses: shell
    with:
      run: |
        echo x >> ran-s${i}
        for n in $(seq 1 40); do echo "line $n of s${i}"; done
`).join('')
  let midRun = 0
  for (const delay of [0, 20, 60, 120, 250]) {
    const {dir, db} = project(`name: chatty\nsteps:\n${steps}`)
    try {
      const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'k', '--db', db])
      await waitForFile(dir, 'ran-s0')
      await new Promise(r => setTimeout(r, delay))
      try {
        process.kill(sub.pid!, 'SIGKILL')
      } catch {
        // finished already
      }
      await sub
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok', `after kill ${delay} ms into the run`)
      const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'k', '--db', db, '--quiet'])
      if (r.exitCode === 0 && /already succeeded/.test(r.stderr)) continue // the kill came too late
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
      midRun++
      assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
      for (const [file, n] of Object.entries(markers(dir))) assert.ok(n <= 2, `${file} ran ${n} times`)
      const succeeded = rows(db, "SELECT step_id FROM steps WHERE status = 'succeeded'").map(r => r.step_id)
      assert.is(new Set(succeeded).size, succeeded.length, 'no step succeeded twice')
      assert.is(succeeded.length, 12)
      assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
    } finally {
      rmDir(dir)
    }
  }
  assert.ok(midRun >= 2, `only ${midRun} kill(s) landed mid-run`)
})

test.run()
