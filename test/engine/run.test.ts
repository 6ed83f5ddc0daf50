import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {adw, tmpDir} from '../helpers/cli.js'
import {waitGone} from '../helpers/process.js'
import {rows, runYaml, sqlite3, stepRuns} from './engine.helpers.js'

const PIPE = (steps: string, inputs = '') => `name: t\n${inputs}steps:\n${steps}`

test('sequential shell steps pass outputs on; exit 0; summary names the run', async () => {
  const r = await runYaml(
    PIPE(`  - id: a
    uses: shell
    with: {run: "echo 41"}
  - id: b
    uses: shell
    with: {run: "n={{steps.a.outputs.stdout}}; echo $(( n + 1 )) > out.txt"}
`),
    ['--adw-id', 'seq-1'],
  )
  assert.is(r.exitCode, 0, r.stderr)
  assert.is(readFileSync(join(r.dir, 'out.txt'), 'utf8').trim(), '42')
  assert.match(r.stdout, /✔ run seq-1 succeeded/)
  assert.equal(stepRuns(r.db), ['a#0:succeeded', 'b#0:succeeded'])
})

test('a false if records the step as skipped with the reason; a true one runs', async () => {
  const r = await runYaml(
    PIPE(`  - id: a
    uses: shell
    with: {run: "exit 0"}
  - id: never
    if: steps.a.outputs.exitCode != 0
    uses: shell
    with: {run: "touch never"}
  - id: always
    if: steps.a.outputs.exitCode == 0 && steps.never.status == "skipped"
    uses: shell
    with: {run: "touch always"}
`),
  )
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.ok(existsSync(join(r.dir, 'never')))
  assert.ok(existsSync(join(r.dir, 'always')))
  assert.equal(stepRuns(r.db), ['a#0:succeeded', 'never#0:skipped', 'always#0:succeeded'])
  assert.match(r.stdout, /never \[SKIPPED: if: steps\.a\.outputs\.exitCode != 0 was false\]/)
  assert.equal(rows(r.db, "SELECT reason FROM steps WHERE step_id = 'never'")[0].reason, 'if: steps.a.outputs.exitCode != 0 was false')
})

const LOOP = (onExhausted: string, target: number) =>
  PIPE(`  - id: init
    uses: shell
    with: {run: "echo 0 > n"}
  - id: fix_loop
    loop: {maxAttempts: 3, until: 'int(steps.check.outputs.stdout) >= ${target}', onExhausted: ${onExhausted}}
    steps:
      - id: bump
        uses: shell
        with: {run: "echo $(( $(cat n) + 1 )) > n"}
      - id: check
        uses: shell
        with: {run: "cat n"}
  - id: after
    uses: shell
    with: {run: "echo {{steps.check.outputs.stdout}} > after"}
`)

test('loop: stops when until holds; every iteration is its own recorded step run; later steps see the latest outputs', async () => {
  const r = await runYaml(LOOP('fail', 2))
  assert.is(r.exitCode, 0, r.stderr)
  assert.equal(stepRuns(r.db), ['init#0:succeeded', 'bump#1:succeeded', 'check#1:succeeded', 'bump#2:succeeded', 'check#2:succeeded', 'after#0:succeeded'])
  assert.is(readFileSync(join(r.dir, 'after'), 'utf8').trim(), '2')
  assert.match(r.stdout, /attempt 2\/3/)
  const ms = sqlite3(r.db, "SELECT step_name, log_type FROM agent_logs WHERE adw_id = (SELECT adw_id FROM runs) AND log_type = 'milestone';")
  assert.match(ms, /fix_loop\|milestone/)
})

test('loop exhausted with onExhausted: fail fails the run (exit 1) naming the loop', async () => {
  const r = await runYaml(LOOP('fail', 99))
  assert.is(r.exitCode, 1)
  assert.equal(stepRuns(r.db).filter(s => s.startsWith('check')), ['check#1:succeeded', 'check#2:succeeded', 'check#3:succeeded'])
  assert.not.ok(existsSync(join(r.dir, 'after')))
  assert.is(rows(r.db, 'SELECT status FROM runs')[0].status, 'failed')
  assert.match(rows(r.db, 'SELECT error FROM runs')[0].error, /Loop fix_loop exhausted: 3 attempt/)
})

test('loop exhausted with onExhausted: continue logs a WARNING and goes on (exit 0)', async () => {
  const r = await runYaml(LOOP('continue', 99))
  assert.is(r.exitCode, 0, r.stderr)
  assert.is(readFileSync(join(r.dir, 'after'), 'utf8').trim(), '3')
  const warn = rows(r.db, "SELECT message FROM agent_logs WHERE log_level = 'WARNING'")
  assert.ok(warn.some(w => /exhausted.*continuing/.test(w.message)), JSON.stringify(warn))
})

test('a failing step fails the run: exit 1, ERROR row with details JSON, later steps do not run', async () => {
  const r = await runYaml(
    PIPE(`  - id: bad
    uses: shell
    with: {run: "echo oops >&2; exit 3"}
  - id: next
    uses: shell
    with: {run: "touch next"}
`),
    ['--adw-id', 'fail-1'],
  )
  assert.is(r.exitCode, 1)
  assert.not.ok(existsSync(join(r.dir, 'next')))
  const out = sqlite3(r.db, "SELECT adw_id, message, details FROM agent_logs WHERE log_level = 'ERROR';")
  assert.match(out, /fail-1\|Step bad failed: command exited with code 3: oops\|\{"message":"command exited with code 3: oops"/)
  assert.match(r.stdout + r.stderr, /failed/)
})

test('continueOnError: the run goes on and later steps see exitCode', async () => {
  const r = await runYaml(
    PIPE(`  - id: bad
    uses: shell
    continueOnError: true
    with: {run: "exit 4"}
  - id: next
    uses: shell
    with: {run: "echo {{steps.bad.outputs.exitCode}} {{steps.bad.status}} > next"}
`),
  )
  assert.is(r.exitCode, 0, r.stderr)
  assert.is(readFileSync(join(r.dir, 'next'), 'utf8').trim(), '4 failed')
})

test('timeout kills the whole process tree and fails the step', async () => {
  const started = Date.now()
  const r = await runYaml(
    PIPE(`  - id: slow
    uses: shell
    timeout: 500ms
    with: {run: "sleep 120 & echo $! > child.pid; wait"}
`),
  )
  assert.is(r.exitCode, 1)
  assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms: the 120 s sleep was waited for`)
  assert.match(rows(r.db, 'SELECT error FROM steps')[0].error, /timed out after 500ms/)
  const pid = Number(readFileSync(join(r.dir, 'child.pid'), 'utf8'))
  assert.ok(await waitGone(pid), 'the grandchild sleep is gone')
})

test('hostile prompt stays text in a shell command; {{{ }}} with unsafeRaw: true is the raw opt-in', async () => {
  const r = await runYaml(
    PIPE(
      `  - id: a
    uses: shell
    with: {run: "echo {{inputs.prompt}} > said.txt"}
  - id: raw
    uses: shell
    unsafeRaw: true
    with: {run: "{{{inputs.cmd}}}"}
`,
      'inputs:\n  prompt: {type: string, required: true}\n  cmd: {type: string, default: "touch raw-ran"}\n',
    ),
    ['--prompt', `$(touch pwned); \`touch pwned2\` 'quote' "dq" && rm -rf ~`],
  )
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.ok(existsSync(join(r.dir, 'pwned')))
  assert.not.ok(existsSync(join(r.dir, 'pwned2')))
  assert.is(readFileSync(join(r.dir, 'said.txt'), 'utf8').trim(), `$(touch pwned); \`touch pwned2\` 'quote' "dq" && rm -rf ~`)
  assert.ok(existsSync(join(r.dir, 'raw-ran')))
})

test('inputs: --input key=value, defaults, numbers; missing required or undeclared input → exit 2, nothing written', async () => {
  const yaml = PIPE(
    `  - id: a
    uses: shell
    with: {run: "echo {{inputs.name}}-{{inputs.n}} > o"}
`,
    'inputs:\n  name: {type: string, required: true}\n  n: {type: number, default: 7}\n',
  )
  const ok = await runYaml(yaml, ['--input', 'name=x'])
  assert.is(ok.exitCode, 0, ok.stderr)
  assert.is(readFileSync(join(ok.dir, 'o'), 'utf8').trim(), 'x-7')
  const missing = await runYaml(yaml)
  assert.is(missing.exitCode, 2)
  assert.match(missing.stderr, /name/)
  assert.not.ok(existsSync(missing.db), 'no database file written')
  const extra = await runYaml(yaml, ['--input', 'name=x', '--input', 'bogus=1'])
  assert.is(extra.exitCode, 2)
  assert.match(extra.stderr, /bogus/)
  assert.not.ok(existsSync(extra.db))
  assert.not.match(missing.stderr + extra.stderr, /at .*\.js:\d+/, 'no stack trace')
})

test('an id already in the database → exit 2 with a hint; --working-dir must exist', async () => {
  const yaml = PIPE('  - id: a\n    uses: noop\n')
  const dir = tmpDir({'p.yaml': yaml})
  const db = join(dir, 'x.db')
  assert.is((await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'dup'], {cwd: dir})).exitCode, 0)
  const again = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'dup'], {cwd: dir})
  assert.is(again.exitCode, 2)
  assert.match(again.stderr, /already exists/)
  assert.match(again.stderr, /--resume --adw-id dup/)
  const nowd = await adw(['run', 'p.yaml', '--db', db, '--working-dir', join(dir, 'nope')], {cwd: dir})
  assert.is(nowd.exitCode, 2)
  assert.match(nowd.stderr, /--working-dir .*nope does not exist/)
})

test('no --adw-id: a short unique id is generated and printed', async () => {
  const r = await runYaml(PIPE('  - id: a\n    uses: noop\n'))
  assert.is(r.exitCode, 0, r.stderr)
  const id = rows(r.db, 'SELECT adw_id FROM runs')[0].adw_id
  assert.match(id, /^[0-9a-f]{8}$/)
  assert.match(r.stderr + r.stdout, new RegExp(`adw id: ${id}`))
})

test('an invalid pipeline is refused with file:line:col, exit 2, and no database file', async () => {
  const r = await runYaml('name: t\nsteps:\n  - id: a\n    uses: shel\n')
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, /p\.yaml:4:11: .*shel/)
  assert.not.ok(existsSync(r.db))
})

test('bare name resolves ./pipelines/<name>.yaml, then the built-in pipelines', async () => {
  const dir = tmpDir({'pipelines/hello.yaml': PIPE('  - id: a\n    uses: shell\n    with: {run: "touch hello-ran"}\n')})
  const r = await adw(['run', 'hello', '--db', join(dir, 'x.db')], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  assert.ok(existsSync(join(dir, 'hello-ran')))
  const none = await adw(['run', 'nosuch', '--db', join(dir, 'x.db')], {cwd: dir})
  assert.is(none.exitCode, 2)
  assert.match(none.stderr, /pipeline "nosuch" not found/)
  // Not in ./pipelines: the built-in one is found (its agent steps then ask for the API key, before writing anything).
  const builtin = await adw(['run', 'plan-build', '--prompt', 'x', '--db', join(dir, 'b.db')], {cwd: dir})
  assert.is(builtin.exitCode, 2)
  assert.match(builtin.stderr, /needs ANTHROPIC_API_KEY/)
  assert.not.ok(existsSync(join(dir, 'b.db')))
})

test('--json prints one JSON event per line; --quiet only the summary', async () => {
  const yaml = PIPE('  - id: a\n    uses: shell\n    with: {run: "echo hi"}\n')
  const j = await runYaml(yaml, ['--json', '--adw-id', 'j1'])
  assert.is(j.exitCode, 0, j.stderr)
  const events = j.stdout.split('\n').map(l => JSON.parse(l))
  assert.is(events[0].type, 'run:start')
  assert.is(events.at(-1).type, 'run:end')
  assert.is(events.at(-1).status, 'succeeded')
  assert.ok(events.some(e => e.type === 'step:end' && e.stepId === 'a'))
  const q = await runYaml(yaml, ['--quiet', '--adw-id', 'q1'])
  assert.is(q.exitCode, 0)
  assert.is(q.stdout.trim().split('\n').length, 1, q.stdout)
  assert.match(q.stdout, /q1 succeeded/)
})

test("the seed's three sqlite3 queries work verbatim against a real run", async () => {
  const r = await runYaml(
    PIPE(`  - id: ok
    uses: shell
    with: {run: "echo fine"}
  - id: boom
    uses: shell
    with: {run: "exit 1"}
`),
    ['--adw-id', 'x'],
  )
  assert.is(r.exitCode, 1)
  const q1 = sqlite3(r.db, 'SELECT adw_id, agent_name, step_name, created_at FROM agent_logs ORDER BY created_at DESC LIMIT 20;')
  assert.match(q1, /^x\|/m)
  assert.match(q1, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/)
  const q2 = sqlite3(r.db, "SELECT adw_id, message, details FROM agent_logs WHERE log_level = 'ERROR';")
  assert.match(q2, /x\|Step boom failed/)
  const q3 = sqlite3(r.db, "SELECT step_name, log_type FROM agent_logs WHERE adw_id = 'x' AND log_type = 'milestone';")
  assert.match(q3, /ok\|milestone\nok\|milestone/)
  assert.match(q3, /boom\|milestone/)
})

test('secrets from the environment never reach the database or the terminal', async () => {
  const secret = 'sk-ant-test-SECRET-0123456789'
  const dir = tmpDir({'p.yaml': PIPE('  - id: leak\n    uses: shell\n    with: {run: "echo key=$ANTHROPIC_API_KEY; echo $ANTHROPIC_API_KEY >&2"}\n')})
  const db = join(dir, 'x.db')
  const r = await adw(['run', 'p.yaml', '--db', db, '--json'], {cwd: dir, env: {ANTHROPIC_API_KEY: secret}})
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.ok((r.stdout + r.stderr).includes(secret))
  const bytes = [db, db + '-wal'].filter(existsSync).map(f => readFileSync(f).toString('latin1')).join('')
  assert.not.ok(bytes.includes(secret), 'secret in the database file')
  assert.match(sqlite3(db, "SELECT message FROM agent_logs WHERE log_type = 'output'"), /key=\[REDACTED\]/)
})

test('two concurrent runs on one database lose nothing', async () => {
  const steps = Array.from({length: 40}, (_, i) => `  - id: s${i}\n    uses: noop\n    with: {logLines: 50}\n`).join('')
  const dir = tmpDir({'p.yaml': PIPE(steps)})
  const db = join(dir, 'shared.db')
  const [a, b] = await Promise.all([adw(['run', 'p.yaml', '--db', db, '--adw-id', 'c1', '-q'], {cwd: dir}), adw(['run', 'p.yaml', '--db', db, '--adw-id', 'c2', '-q'], {cwd: dir})])
  assert.is(a.exitCode, 0, a.stderr)
  assert.is(b.exitCode, 0, b.stderr)
  for (const id of ['c1', 'c2']) {
    assert.is(rows(db, 'SELECT count(*) AS n FROM steps WHERE adw_id = ? AND status = ?', id, 'succeeded')[0].n, 40)
    assert.is(rows(db, "SELECT count(*) AS n FROM agent_logs WHERE adw_id = ? AND log_type = 'output'", id)[0].n, 2000)
  }
})

test.run()
