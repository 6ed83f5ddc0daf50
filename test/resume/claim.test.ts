import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir} from '../helpers/cli.js'
import {adwIn, BLOCK_ONCE, killPidFile, markers, project, rows, spawnAdw, stepRuns, waitForFile} from './resume.helpers.js'

/** `gate` fails until the file `open` exists; `work` then blocks once (file `ready`) for the test. */
const GATED = `name: gated
steps:
  - id: prep
    uses: shell
    with:
      run: echo x >> ran-prep
  - id: gate
    uses: shell
    with:
      run: echo x >> ran-gate; test -e open
  - id: work
    uses: shell
    with:
      run: |
        echo x >> ran-work
        ${BLOCK_ONCE()}
`

test('a second --resume is refused (exit 2, naming the pid) while the first drives the run; it resumes once that one stops', async () => {
  const {dir, db} = project(GATED)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'lock', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    writeFileSync(join(dir, 'open'), '')
    const driver = spawnAdw(dir, ['run', '--resume', '--adw-id', 'lock', '--db', db])
    await waitForFile(dir, 'ready')
    const second = await adwIn(dir, ['run', '--resume', '--adw-id', 'lock', '--db', db])
    assert.is(second.exitCode, 2, second.stderr)
    assert.match(second.stderr, new RegExp(`Run "lock" is still being driven by adw process ${driver.pid} on `))
    assert.match(second.stderr, /two processes must never drive one run/)
    assert.match(second.stderr, new RegExp(`kill -INT ${driver.pid}`))
    assert.equal(markers(dir), {'ran-gate': 2, 'ran-prep': 1, 'ran-work': 1}, 'the refused resume ran nothing')
    assert.is(rows(db, 'SELECT pid FROM runs')[0].pid, driver.pid)

    process.kill(driver.pid!, 'SIGINT')
    assert.is((await driver).exitCode, 130)
    const third = await adwIn(dir, ['run', '--resume', '--adw-id', 'lock', '--db', db, '--quiet'])
    assert.is(third.exitCode, 0, third.stderr)
    assert.equal(markers(dir), {'ran-gate': 2, 'ran-prep': 1, 'ran-work': 2})
    // work was skipped after gate failed (needs gate), then ran on each resume
    assert.equal(stepRuns(db), ['prep#0:succeeded', 'gate#0:failed', 'work#0:skipped', 'gate#0:succeeded', 'work#0:cancelled', 'work#0:succeeded'])
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test('two --resume started at the same moment: exactly one wins the claim', async () => {
  const {dir, db} = project(GATED)
  try {
    const failed = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'race', '--db', db, '--quiet'])
    assert.is(failed.exitCode, 1, failed.stderr)
    writeFileSync(join(dir, 'open'), '')
    const a = spawnAdw(dir, ['run', '--resume', '--adw-id', 'race', '--db', db, '--quiet'])
    const b = spawnAdw(dir, ['run', '--resume', '--adw-id', 'race', '--db', db, '--quiet'])
    const first = await Promise.race([a.then(r => ({r, sub: a})), b.then(r => ({r, sub: b}))])
    assert.is(first.r.exitCode, 2, String(first.r.stderr))
    const winner = first.sub === a ? b : a
    assert.match(String(first.r.stderr), new RegExp(`is still being driven by adw process ${winner.pid} `))
    await waitForFile(dir, 'ready')
    assert.is(markers(dir)['ran-work'], 1)
    process.kill(winner.pid!, 'SIGINT')
    assert.is((await winner).exitCode, 130)
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test('resume of a succeeded run runs nothing and says so (exit 0)', async () => {
  const {dir, db} = project(GATED)
  try {
    writeFileSync(join(dir, 'open'), '')
    writeFileSync(join(dir, 'ready'), '')
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'done', '--db', db, '--quiet'])).exitCode, 0)
    const before = rows(db, 'SELECT * FROM runs')[0]
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'done', '--db', db])
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stderr, /Run "done" already succeeded \(finished .+\); nothing to resume\./)
    assert.equal(markers(dir), {'ran-gate': 1, 'ran-prep': 1, 'ran-work': 1})
    assert.equal(rows(db, 'SELECT * FROM runs')[0], before, 'the run row is untouched')
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message LIKE 'Run resumed%'")[0].n, 0)
  } finally {
    rmDir(dir)
  }
})

test('unknown id: exit 2 listing recent ids; --resume usage mistakes: exit 2', async () => {
  const {dir, db} = project(GATED)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'known-1', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'nope', '--db', db])
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, /No run with adw_id "nope" in .*adw\.db\. Recent runs: known-1\./)
    const noId = await adwIn(dir, ['run', '--resume', '--db', db])
    assert.is(noId.exitCode, 2)
    assert.match(noId.stderr, /--resume needs --adw-id/)
    const extra = await adwIn(dir, ['run', 'p.yaml', '--resume', '--adw-id', 'known-1', '--prompt', 'x', '--db', db])
    assert.is(extra.exitCode, 2)
    assert.match(extra.stderr, /leave out the pipeline argument \(p\.yaml\), --prompt/)
    const none = await adwIn(dir, ['run', '--db', db])
    assert.is(none.exitCode, 2)
    assert.match(none.stderr, /Missing the pipeline to run/)
    assert.equal(markers(dir), {'ran-gate': 1, 'ran-prep': 1})
  } finally {
    rmDir(dir)
  }
})

test('resume uses the stored snapshot and inputs, not the edited file, and says so', async () => {
  const yaml = `name: snap
inputs:
  word: {type: string, required: true}
steps:
  - id: gate
    uses: shell
    with:
      run: test -e open
  - id: say
    uses: shell
    with:
      run: echo {{inputs.word}} >> said
`
  const {dir, db} = project(yaml)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'snap', '--input', 'word=original', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1)
    writeFileSync(join(dir, 'open'), '')
    writeFileSync(join(dir, 'p.yaml'), yaml.replace('echo {{inputs.word}} >> said', 'echo EDITED >> said'))
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'snap', '--db', db, '--quiet'])
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stderr, /Note: .*p\.yaml changed since run "snap" started; resuming with the snapshot stored with the run/)
    assert.is(readFileSync(join(dir, 'said'), 'utf8'), 'original\n')
  } finally {
    rmDir(dir)
  }
})

test.run()
