import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir} from '../helpers/cli.js'
import {adwIn, killPidFile, markers, project, rows, spawnAdw, sqlite3, stepRuns, waitForFile} from './resume.helpers.js'

/** Blocks once, until the test kills adw: a sleeper whose pid is in `<name>.pid`, readiness in `ready-<name>`. */
const block = (name: string) => `if [ ! -e ready-${name} ]; then sleep 60 & echo $! > ${name}.pid; touch ready-${name}; wait; fi`

/**
 * Two branches after `a`: left (left1 → left2) and right (right1 → right2), joined by `join`.
 * left1 finishes, then left2 blocks; right1 blocks. Both block at once only if the branches run
 * in parallel.
 */
const DIAMOND = `name: branches
concurrency: 4
steps:
  - id: a
    uses: shell
    with: {run: "echo x >> ran-a; echo A"}
  - id: left1
    needs: [a]
    uses: shell
    with: {run: "echo x >> ran-left1; echo L1"}
  - id: left2
    needs: [left1]
    uses: shell
    with:
      run: |
        echo x >> ran-left2
        ${block('left2')}
        echo {{steps.left1.outputs.stdout}}-L2
  - id: right1
    needs: [a]
    uses: shell
    with:
      run: |
        echo x >> ran-right1
        ${block('right1')}
        echo R1
  - id: right2
    needs: [right1]
    uses: shell
    with: {run: "echo x >> ran-right2; echo {{steps.right1.outputs.stdout}}-R2"}
  - id: join
    needs: [left2, right2]
    uses: shell
    with: {run: "echo x >> ran-join; echo {{steps.left2.outputs.stdout}}+{{steps.right2.outputs.stdout}}"}
`

test('kill -9 while two parallel branches run: each branch resumes where it stopped, and nothing recorded as succeeded runs twice', async () => {
  const {dir, db} = project(DIAMOND)
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'par', '--db', db])
    await waitForFile(dir, 'ready-left2')
    await waitForFile(dir, 'ready-right1')
    process.kill(sub.pid!, 'SIGKILL')
    await sub
    killPidFile(dir, 'left2.pid')
    killPidFile(dir, 'right1.pid')
    assert.is(sqlite3(db, 'PRAGMA integrity_check'), 'ok')
    assert.equal(rows(db, "SELECT step_id FROM steps WHERE status = 'running' ORDER BY step_id").map(r => r.step_id), ['left2', 'right1'])

    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'par', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    // a and left1 succeeded before the kill: reused. left2 and right1 were cut off: run again. right2 and join: first run.
    assert.equal(markers(dir), {'ran-a': 1, 'ran-join': 1, 'ran-left1': 1, 'ran-left2': 2, 'ran-right1': 2, 'ran-right2': 1})
    const runs = stepRuns(db)
    for (const id of ['a', 'left1', 'left2', 'right1', 'right2', 'join']) {
      assert.is(runs.filter(x => x === `${id}#0:succeeded`).length, 1, `${id} succeeded exactly once: ${runs.join(' ')}`)
    }
    assert.equal(runs.filter(x => x.endsWith(':interrupted')).sort(), ['left2#0:interrupted', 'right1#0:interrupted'])
    // The plain view prefixes each line of a pipeline with parallel branches with its step id.
    assert.match(r.stdout, /\[left1\] \[SKIPPED: reused: key unchanged\]/)
    assert.match(r.stdout, /\[left2\] — L1-L2 .*· re-run: interrupted before/)
    assert.match(r.stdout, /\[right1\] — R1 .*· re-run: interrupted before/)
    assert.match(r.stdout, /\[right2\] — R1-R2 \([^)]*\)\n/, 'right2 never ran before: no reason')
    assert.is(JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'join' AND status = 'succeeded'")[0].outputs).stdout, 'L1-L2+R1-R2')
  } finally {
    killPidFile(dir, 'left2.pid')
    killPidFile(dir, 'right1.pid')
    rmDir(dir)
  }
})

test('kill -9 during a fan-out: the items that finished are reused, the ones cut off run again, the ones not started run once', async () => {
  const {dir, db} = project(`name: fan
concurrency: 2
steps:
  - id: each
    forEach: '["a", "b", "c", "d"]'
    uses: shell
    with:
      run: |
        n={{item}}
        echo x >> ran-$n
        if [ "$n" = b ] || [ "$n" = c ]; then if [ ! -e ready-$n ]; then sleep 60 & echo $! > $n.pid; touch ready-$n; wait; fi; fi
        echo $n
  - id: after
    uses: shell
    with: {run: "echo x >> ran-after; echo {{steps.each.outputs}}"}
`)
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'fan', '--db', db])
    await waitForFile(dir, 'ready-b')
    await waitForFile(dir, 'ready-c')
    process.kill(sub.pid!, 'SIGKILL')
    await sub
    for (const n of ['b', 'c']) killPidFile(dir, `${n}.pid`)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 1, 'ran-c': 1}, 'd waits for a free slot')

    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'fan', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-after': 1, 'ran-b': 2, 'ran-c': 2, 'ran-d': 1})
    const succeeded = rows(db, "SELECT item_index FROM steps WHERE step_id = 'each' AND status = 'succeeded' ORDER BY item_index").map(x => x.item_index)
    assert.equal(succeeded, [0, 1, 2, 3], 'each item succeeded exactly once')
    assert.match(JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'after'")[0].outputs).stdout, /"stdout":"a".*"stdout":"b".*"stdout":"c".*"stdout":"d"/)
  } finally {
    for (const n of ['b', 'c']) killPidFile(dir, `${n}.pid`)
    rmDir(dir)
  }
})

test("resume after an item is inserted at the front of a forEach list: each item's earlier run is found by its content, not its index; only the new item runs", async () => {
  const fan = (list: string) => `name: fan
concurrency: 2
steps:
  - id: each
    forEach: '${list}'
    uses: shell
    with: {run: "echo x >> ran-{{item}}; echo {{item}}-done"}
  - id: after
    uses: shell
    with: {run: "echo x >> ran-after; echo {{#steps.each.outputs}}{{stdout}},{{/steps.each.outputs}}"}
`
  const {dir, db} = project(fan('["a", "b", "c"]'))
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'ins', '--db', db])
    assert.is(first.exitCode, 0, first.stderr + first.stdout)
    writeFileSync(join(dir, 'p.yaml'), fan('["z", "a", "b", "c"]'))
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'ins', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-after': 2, 'ran-b': 1, 'ran-c': 1, 'ran-z': 1}, 'a, b and c are not run again')
    const reasons = rows(db, "SELECT message FROM agent_logs WHERE adw_id = 'ins' AND log_type = 'state_change' AND step_name = 'each' AND message LIKE '%reused%' ORDER BY id").map(x => x.message)
    assert.equal(reasons.sort(), ['Step each (item 1) reused: key unchanged (item 0 before)', 'Step each (item 2) reused: key unchanged (item 1 before)', 'Step each (item 3) reused: key unchanged (item 2 before)'])
    const after = JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'after' ORDER BY id DESC LIMIT 1")[0].outputs).stdout
    assert.is(after, 'z-done,a-done,b-done,c-done,', "the outputs follow the new list, each item's own")
    // Moving and dropping items reuses the rest; an item listed twice runs once more (each run is reused once).
    writeFileSync(join(dir, 'p.yaml'), fan('["c", "a", "a"]'))
    const again = await adwIn(dir, ['run', '--resume', '--adw-id', 'ins', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(again.exitCode, 0, again.stderr + again.stdout)
    assert.equal(markers(dir), {'ran-a': 2, 'ran-after': 3, 'ran-b': 1, 'ran-c': 1, 'ran-z': 1})
    assert.is(JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'after' ORDER BY id DESC LIMIT 1")[0].outputs).stdout, 'c-done,a-done,a-done,')
  } finally {
    rmDir(dir)
  }
})

test.run()
