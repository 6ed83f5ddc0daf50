import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {ROOT, rmDir} from '../helpers/cli.js'
import {reply, routeByPrompt, startFakeAnthropic, promptOf} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {adwIn, BLOCK_ONCE, killPidFile, markers, project, rows, spawnAdw, stepRuns, waitForFile} from './resume.helpers.js'
import {adw} from '../helpers/cli.js'
import {dbBytes} from '../helpers/db.js'

/** Four shell steps, each appending to ran-<id>; c prints what b printed. */
const CHAIN = `name: chain
steps:
  - id: a
    uses: shell
    with: {run: "echo x >> ran-a; echo A"}
  - id: b
    uses: shell
    with: {run: "echo x >> ran-b; echo B"}
  - id: c
    uses: shell
    with: {run: "echo x >> ran-c; echo {{steps.b.outputs.stdout}}-C"}
  - id: d
    uses: shell
    with: {run: "echo x >> ran-d; echo D"}
`

const stateChanges = (db: string, adwId: string) =>
  rows(db, "SELECT step_name, message FROM agent_logs WHERE adw_id = ? AND log_type = 'state_change' AND (message LIKE '% reused: %' OR message LIKE '% re-run: %') ORDER BY id", adwId).map(
    r => `${r.step_name}: ${r.message}`,
  )

test('resume --pipeline after editing one agent step\'s prompt: only it and what depends on its changed output run again (the fake Messages API counts the calls)', async () => {
  const answers: Record<string, string> = {'PLAN:': 'plan: add greet()', 'BUILD from': 'built greet v1', 'BUILD carefully': 'built greet v2', 'REVIEW:': 'looks fine'}
  const fake = await startFakeAnthropic(req => {
    const key = Object.keys(answers).find(k => promptOf(req).includes(k))
    return key ? reply.text(answers[key]) : {type: 'error', status: 500, retry: false, message: `no route for ${promptOf(req).slice(0, 40)}`}
  })
  const yaml = (build: string) => `name: edit
inputs:
  prompt: {type: string, required: true}
steps:
  - id: plan
    uses: agent
    with: {prompt: "PLAN: {{inputs.prompt}}", tools: []}
  - id: build
    uses: agent
    with: {prompt: "${build} {{steps.plan.outputs.text}}", tools: []}
  - id: review
    uses: agent
    with: {prompt: "REVIEW: {{steps.build.outputs.text}}", tools: []}
  - id: notify
    uses: shell
    with: {run: "echo x >> ran-notify; echo {{steps.review.outputs.text}}"}
`
  const {dir, db} = project(yaml('BUILD from:'))
  const env = {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
  const calls = () => {
    const n: Record<string, number> = {}
    for (const r of fake.messageRequests()) {
      const key = Object.keys(answers).find(k => promptOf(r).includes(k))!
      n[key] = (n[key] ?? 0) + 1
    }
    return n
  }
  try {
    const first = await adw(['run', 'p.yaml', '--adw-id', 'e1', '--db', db, '--prompt', 'Add greet'], {cwd: dir, env})
    assert.is(first.exitCode, 0, first.stderr + first.stdout)
    assert.equal(calls(), {'PLAN:': 1, 'BUILD from': 1, 'REVIEW:': 1})

    writeFileSync(join(dir, 'p.yaml'), yaml('BUILD carefully from:'))
    const r = await adw(['run', '--resume', '--adw-id', 'e1', '--db', db, '--pipeline', 'p.yaml'], {cwd: dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    // plan: key unchanged, no call. build: its prompt changed. review: build's output changed.
    // notify: review answered the same, so its key is unchanged and it is reused.
    assert.equal(calls(), {'PLAN:': 1, 'BUILD from': 1, 'BUILD carefully': 1, 'REVIEW:': 2})
    assert.is(markers(dir)['ran-notify'], 1)
    assert.match(r.stdout, /plan \[SKIPPED: reused: key unchanged\]/)
    assert.match(r.stdout, /✔ build \(.*\) · re-run: its with: changed/)
    assert.match(r.stdout, /✔ review \(.*\) · re-run: upstream build changed; its with: changed/)
    assert.match(r.stdout, /notify \[SKIPPED: reused: key unchanged\]/)
    assert.equal(stateChanges(db, 'e1'), [
      'plan: Step plan reused: key unchanged',
      'build: Step build re-run: its with: changed',
      'review: Step review re-run: upstream build changed; its with: changed',
      'notify: Step notify reused: key unchanged',
    ])
    // The edited file is now the run's pipeline; the keys are digests, never the prompt or the key.
    const run = rows(db, 'SELECT pipeline_snapshot FROM runs')[0]
    assert.is(run.pipeline_snapshot, readFileSync(join(dir, 'p.yaml'), 'utf8'))
    for (const s of rows(db, "SELECT content_key, key_parts FROM steps WHERE status = 'succeeded'")) {
      assert.match(s.content_key, /^[0-9a-f]{64}$/)
      assert.not.match(s.key_parts, /BUILD|greet|test-key/)
    }
    // Resuming again with nothing changed runs nothing.
    const again = await adw(['run', '--resume', '--adw-id', 'e1', '--db', db, '--pipeline', 'p.yaml'], {cwd: dir, env})
    assert.is(again.exitCode, 0, again.stderr)
    assert.is(fake.messageRequests().length, 5, 'no new call')
    assert.is((again.stdout.match(/reused: key unchanged/g) ?? []).length, 4)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('an upstream step that re-runs with identical output does not re-run what follows it; one with new output does', async () => {
  const {dir, db} = project(CHAIN)
  try {
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'u1', '--db', db, '-q'])).exitCode, 0)
    // b's script changes, its output does not: c and d are reused.
    writeFileSync(join(dir, 'p.yaml'), CHAIN.replace('echo x >> ran-b; echo B', 'echo x >> ran-b;  echo B'))
    const same = await adwIn(dir, ['run', '--resume', '--adw-id', 'u1', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(same.exitCode, 0, same.stderr + same.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 2, 'ran-c': 1, 'ran-d': 1})
    assert.match(same.stdout, /c \[SKIPPED: reused: key unchanged\]/)
    // Now its output changes: c re-runs (it reads it), and so does d (c's output changed).
    writeFileSync(join(dir, 'p.yaml'), CHAIN.replace('echo x >> ran-b; echo B', 'echo x >> ran-b; echo B2'))
    const changed = await adwIn(dir, ['run', '--resume', '--adw-id', 'u1', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(changed.exitCode, 0, changed.stderr + changed.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 3, 'ran-c': 2, 'ran-d': 2})
    assert.match(changed.stdout, /c — B2-C .*· re-run: upstream b changed; its with: changed/)
    assert.match(changed.stdout, /d — D .*· re-run: upstream c changed/)
  } finally {
    rmDir(dir)
  }
})

test('--from <step> runs that step and everything downstream again, even on a succeeded run; an unknown step is exit 2 with "did you mean", nothing written', async () => {
  const {dir, db} = project(CHAIN)
  try {
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'f1', '--db', db, '-q'])).exitCode, 0)
    const plain = await adwIn(dir, ['run', '--resume', '--adw-id', 'f1', '--db', db])
    assert.is(plain.exitCode, 0)
    assert.match(plain.stderr, /already succeeded.*nothing to resume/)

    const logsBefore = rows(db, 'SELECT count(*) AS n FROM agent_logs')[0].n
    const bad = await adwIn(dir, ['run', '--resume', '--adw-id', 'f1', '--db', db, '--from', 'cc'])
    assert.is(bad.exitCode, 2, bad.stderr)
    assert.match(bad.stderr, /--from cc: the pipeline chain has no step "cc"; did you mean "c"\?/)
    assert.not.match(bad.stderr, /\n\s+at /, 'no stack trace')
    assert.is(rows(db, 'SELECT count(*) AS n FROM agent_logs')[0].n, logsBefore, 'nothing written')
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')

    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'f1', '--db', db, '--from', 'c'])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 1, 'ran-c': 2, 'ran-d': 2})
    assert.match(r.stdout, /b \[SKIPPED: reused: key unchanged\]/)
    assert.match(r.stdout, /c — B-C .*· re-run: --from c/)
    assert.match(r.stdout, /d — D .*· re-run: downstream of --from c/)
    assert.equal(stepRuns(db).slice(4), ['c#0:succeeded', 'd#0:succeeded'])

    const without = await adwIn(dir, ['run', 'p.yaml', '--from', 'c', '--db', db])
    assert.is(without.exitCode, 2)
    assert.match(without.stderr, /--from continues an existing run: it needs --resume --adw-id <id>/)
  } finally {
    rmDir(dir)
  }
})

test('--pipeline with a broken or incompatible file is exit 2 at file:line:col and writes nothing; the run keeps its snapshot', async () => {
  const {dir, db} = project(CHAIN)
  try {
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'p1', '--db', db, '-q'])).exitCode, 0)
    const before = {logs: rows(db, 'SELECT count(*) AS n FROM agent_logs')[0].n, run: {...rows(db, 'SELECT * FROM runs')[0]}}
    writeFileSync(join(dir, 'bad.yaml'), CHAIN.replace('uses: shell\n    with: {run: "echo x >> ran-d', 'uses: shel\n    with: {run: "echo x >> ran-d'))
    const bad = await adwIn(dir, ['run', '--resume', '--adw-id', 'p1', '--db', db, '--pipeline', 'bad.yaml'])
    assert.is(bad.exitCode, 2, bad.stderr)
    assert.match(bad.stderr, /bad\.yaml:13:11/)
    assert.match(bad.stderr, /Did you mean "shell"/)
    writeFileSync(join(dir, 'more.yaml'), CHAIN.replace('steps:', 'inputs:\n  target: {type: string, required: true}\nsteps:'))
    const more = await adwIn(dir, ['run', '--resume', '--adw-id', 'p1', '--db', db, '--pipeline', 'more.yaml'])
    assert.is(more.exitCode, 2, more.stderr)
    assert.match(more.stderr, /declares input\(s\) target that run "p1" was not started with, and without a default/)
    const missing = await adwIn(dir, ['run', '--resume', '--adw-id', 'p1', '--db', db, '--pipeline', 'nope.yaml'])
    assert.is(missing.exitCode, 2, missing.stderr)
    assert.is(rows(db, 'SELECT count(*) AS n FROM agent_logs')[0].n, before.logs, 'no row written')
    assert.equal({...rows(db, 'SELECT * FROM runs')[0]}, before.run, 'the run row is untouched')
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 1, 'ran-c': 1, 'ran-d': 1})
  } finally {
    rmDir(dir)
  }
})

test('kill -9 mid-run, then resume: the steps recorded as succeeded keep their keys and none runs twice', async () => {
  const yaml = `name: cut
steps:
  - id: a
    uses: shell
    with: {run: "echo x >> ran-a; echo A"}
  - id: b
    uses: shell
    with: {run: "echo x >> ran-b; echo {{steps.a.outputs.stdout}}-B"}
  - id: c
    uses: shell
    with:
      run: |
        echo x >> ran-c
        ${BLOCK_ONCE()}
        echo {{steps.b.outputs.stdout}}-C
  - id: d
    uses: shell
    with: {run: "echo x >> ran-d; echo {{steps.c.outputs.stdout}}"}
`
  const {dir, db} = project(yaml)
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'k9', '--db', db])
    await waitForFile(dir, 'ready')
    process.kill(sub.pid!, 'SIGKILL')
    await sub
    killPidFile(dir)
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'k9', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 1, 'ran-c': 2, 'ran-d': 1})
    assert.equal(stepRuns(db), ['a#0:succeeded', 'b#0:succeeded', 'c#0:interrupted', 'c#0:succeeded', 'd#0:succeeded'])
    assert.match(r.stdout, /b \[SKIPPED: reused: key unchanged\]/)
    assert.match(r.stdout, /c — A-B-C .*· re-run: interrupted before/)
    assert.is(JSON.parse(rows(db, "SELECT outputs FROM steps WHERE step_id = 'd'")[0].outputs).stdout, 'A-B-C')
  } finally {
    killPidFile(dir)
    rmDir(dir)
  }
})

test('a secret input given again with another value re-runs the steps that use it; neither value reaches the database', async () => {
  const yaml = `name: secret
inputs:
  token: {type: string, secret: true, required: true}
steps:
  - id: a
    uses: shell
    with: {run: "echo x >> ran-a; test -n {{inputs.token}}"}
  - id: b
    uses: shell
    with: {run: "echo x >> ran-b; test -e go || exit 1"}
`
  const {dir, db} = project(yaml)
  const resume = (token: string) => adwIn(dir, ['run', '--resume', '--adw-id', 's1', '--db', db, '--input', `token=${token}`])
  try {
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 's1', '--db', db, '--input', 'token=first-Secret-1234567'])).exitCode, 1)
    const other = await resume('second-Secret-7654321')
    assert.is(other.exitCode, 1)
    assert.match(other.stdout, /a .*· re-run: its with: changed/, other.stdout + other.stderr)
    writeFileSync(join(dir, 'go'), '')
    const same = await resume('second-Secret-7654321')
    assert.is(same.exitCode, 0, same.stderr + same.stdout)
    assert.match(same.stdout, /a \[SKIPPED: reused: key unchanged\]/)
    assert.equal(markers(dir), {'ran-a': 2, 'ran-b': 3})
    const bytes = dbBytes(db).toString('latin1')
    assert.not.ok(bytes.includes('first-Secret-1234567') || bytes.includes('second-Secret-7654321'), 'no secret in the database')
  } finally {
    rmDir(dir)
  }
})

test('a loop iteration is reused only while its steps\' keys match: an edited body step re-runs it, and the step after the loop is reused when the loop ends the same way', async () => {
  const yaml = (fix: string) => `name: looped
steps:
  - id: init
    uses: shell
    with: {run: "echo x >> ran-init"}
  - id: fix_loop
    loop: {maxAttempts: 3, until: 'steps.check.outputs.stdout == "ok"'}
    steps:
      - id: fix
        uses: shell
        with: {run: "echo x >> ran-fix; echo ${fix}"}
      - id: check
        uses: shell
        with: {run: "echo x >> ran-check; echo ok"}
  - id: after
    uses: shell
    with: {run: "echo x >> ran-after"}
`
  const {dir, db} = project(yaml('fix-1'))
  try {
    assert.is((await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'l1', '--db', db, '-q'])).exitCode, 0)
    writeFileSync(join(dir, 'p.yaml'), yaml('fix-2'))
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'l1', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-after': 1, 'ran-check': 2, 'ran-fix': 2, 'ran-init': 1})
    assert.match(r.stdout, /fix · attempt 1\/3 — fix-2 .*· re-run: its with: changed/)
    assert.match(r.stdout, /check · attempt 1\/3 — ok .*· re-run: upstream fix changed/)
    assert.match(r.stdout, /after \[SKIPPED: reused: key unchanged\]/)
    assert.equal(stepRuns(db).slice(4), ['fix#1:succeeded', 'check#1:succeeded'])
  } finally {
    rmDir(dir)
  }
})

test('a run recorded before resume keys (schema 3): its succeeded steps are reused while the pipeline is unchanged, and run again with an edited --pipeline', async () => {
  const yaml = `name: old
steps:
  - id: a
    uses: shell
    with: {run: "echo x >> ran-a; echo A"}
  - id: b
    uses: shell
    with: {run: "echo x >> ran-b; echo B"}
`
  const {dir, db} = project(yaml)
  try {
    const raw = new DatabaseSync(db)
    raw.exec(readFileSync(join(ROOT, 'test/fixtures/schema-v3.sql'), 'utf8'))
    const t = '2026-12-01T10:00:00.000Z'
    raw.prepare(`INSERT INTO runs (adw_id, pipeline_name, pipeline_file, pipeline_snapshot, inputs, working_dir, status, started_at) VALUES ('old', 'old', ?, ?, '{}', ?, 'failed', ?)`).run(join(dir, 'p.yaml'), yaml, dir, t)
    const step = raw.prepare(`INSERT INTO steps (adw_id, step_id, iteration, executor, status, started_at, finished_at, outputs) VALUES ('old', ?, 0, 'shell', ?, ?, ?, ?)`)
    step.run('a', 'succeeded', t, t, '{"exitCode":0,"stdout":"A","stderr":""}')
    step.run('b', 'failed', t, t, '{"exitCode":1,"stdout":"","stderr":""}')
    raw.close()

    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'old', '--db', db])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /a \[SKIPPED: reused: recorded before resume keys, pipeline unchanged\]/)
    assert.equal(markers(dir), {'ran-b': 1})

    writeFileSync(join(dir, 'p.yaml'), yaml.replace('echo A', 'echo A2'))
    const edited = await adwIn(dir, ['run', '--resume', '--adw-id', 'old', '--db', db, '--pipeline', 'p.yaml'])
    assert.is(edited.exitCode, 0, edited.stderr + edited.stdout)
    assert.match(edited.stdout, /a — A2 .*· re-run: recorded before resume keys and the pipeline changed/)
    assert.match(edited.stdout, /b — B .*· re-run: upstream a changed/)
    assert.equal(markers(dir), {'ran-a': 1, 'ran-b': 2})
  } finally {
    rmDir(dir)
  }
})

test.run()
