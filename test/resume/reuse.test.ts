import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir} from '../helpers/cli.js'
import {adwIn, markers, project, rows, stepRuns} from './resume.helpers.js'

/**
 * A loop satisfied at iteration 2, with a step its `if` skips and a continueOnError failure, then a
 * step that fails until the file `open` exists. Resume must replay the loop from its records:
 * `until` holds again at iteration 2 (no iteration 3), and nothing that succeeded runs again.
 */
const YAML = `name: replay
steps:
  - id: flaky
    uses: shell
    continueOnError: true
    with:
      run: echo x >> ran-flaky; exit 3
  - id: fix_loop
    loop: {maxAttempts: 5, until: 'int(steps.check.outputs.stdout) >= 2'}
    steps:
      - id: bump
        uses: shell
        with:
          run: |
            it=$(( $(cat checks 2>/dev/null | wc -l) + 1 ))
            echo x >> ran-bump-$it
      - id: never
        if: steps.flaky.outputs.exitCode == 0
        uses: shell
        with:
          run: echo x >> ran-never
      - id: check
        uses: shell
        with:
          run: |
            it=$(( $(cat checks 2>/dev/null | wc -l) + 1 ))
            echo x >> ran-check-$it
            echo $it >> checks
            echo $it
  - id: skipped_loop
    if: steps.flaky.outputs.exitCode == 0
    loop: {maxAttempts: 2, until: 'true'}
    steps:
      - id: inner
        uses: shell
        with:
          run: echo x >> ran-inner
  - id: gate
    uses: shell
    with:
      run: echo x >> ran-gate; test -e open
`

test('resume of a failed run: a satisfied loop is replayed from its records (until holds at 2 again), false ifs are decided again and not recorded twice, a continueOnError failure runs again', async () => {
  const {dir, db} = project(YAML)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'rp', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    const before = markers(dir)
    assert.equal(before, {'ran-bump-1': 1, 'ran-bump-2': 1, 'ran-check-1': 1, 'ran-check-2': 1, 'ran-flaky': 1, 'ran-gate': 1})
    const rowsBefore = stepRuns(db)

    writeFileSync(join(dir, 'open'), '')
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'rp', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {...before, 'ran-flaky': 2, 'ran-gate': 2}, 'only the failed steps ran again')
    assert.equal(stepRuns(db), [...rowsBefore, 'flaky#0:failed', 'gate#0:succeeded'], 'no new rows but the re-run steps')
    // flaky failed the same way (same outputs): nothing after it changes key.
    assert.match(r.stdout, /flaky.*· re-run: failed before/)
    assert.match(r.stdout, /bump · attempt 1\/5 \[SKIPPED: reused: key unchanged\]/)
    assert.match(r.stdout, /never · attempt 2\/5 \[SKIPPED: if: steps\.flaky\.outputs\.exitCode == 0 was false \(as before\)\]/)
    assert.match(r.stdout, /skipped_loop.*SKIPPED: if: steps\.flaky\.outputs\.exitCode == 0 was false \(as before\)/)
    assert.match(r.stdout, /gate.*· re-run: failed before/)
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message = 'Loop fix_loop: until held at iteration 2/5 (completed before; outputs reused)'")[0].n, 1)
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message LIKE 'Loop fix_loop:%continuing at%'")[0].n, 0)
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message LIKE 'Loop fix_loop: iteration 3/5%'")[0].n, 0)
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
  } finally {
    rmDir(dir)
  }
})

test.run()
