import {execa} from 'execa'
import {spawnSync} from 'node:child_process'
import {setTimeout as sleep} from 'node:timers/promises'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createReporter} from '../../src/ui/index.js'
import {ADW, adw, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {capture, lines, Script} from '../ui/script.js'

// Seeing what happened: a one-line outcome in each finished title, --verbose, a story line, plain
// output on one stream, whole progress lines, adw logs --follow before the run, a running timer.
const CHECK = `name: check
inputs:
  target: {type: string, default: src}
steps:
  - id: test
    uses: shell
    continueOnError: true
    with: {run: "echo running tests in {{inputs.target}}; echo 3 failed; exit 1"}
  - id: review
    uses: noop
    with: {outputs: {verdict: FAIL, issues: [a, b]}}
  - id: fix
    if: steps.review.outputs.verdict != "PASS"
    loop: {maxAttempts: 3, until: 'int(steps.rereview.outputs.stdout) >= 2'}
    steps:
      - id: patch
        uses: shell
        with: {run: "echo patched; echo x >> .count"}
      - id: rereview
        uses: shell
        with: {run: "wc -l < .count"}
  - id: report
    if: steps.test.outputs.exitCode != 0
    uses: shell
    with: {run: 'echo "tests failed with exit code {{steps.test.outputs.exitCode}}"'}
`
const BROKEN = 'name: broken\nsteps:\n  - id: build\n    uses: shell\n    with: {run: "echo compiling; echo boom >&2; exit 2"}\n  - id: later\n    uses: noop\n'
const dirs: string[] = []
const project = (files: Record<string, string>) => {
  dirs.push(tmpDir({'adw.config.yaml': 'project: {name: outcomes}\n', ...files}))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

test('each finished title says what the step did, and a story line tells the run', async () => {
  const dir = project({'pipelines/check.yaml': CHECK})
  const r = await adw(['run', 'check', '--adw-id', 'story-1'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const out = r.stdout.split('\n')
  assert.ok(out.some(l => /^✖ test — 3 failed \(\d+\.\ds\) \[FAILED: command exited with code 1\]$/.test(l)), r.stdout)
  assert.ok(out.some(l => /^✔ review — verdict FAIL, 2 issues \(/.test(l)), r.stdout)
  assert.ok(out.some(l => /^✔ rereview · attempt 2\/3 — 2 \(/.test(l)), r.stdout)
  assert.ok(out.some(l => /^✔ fix \(2 attempts · /.test(l)), r.stdout)
  assert.ok(out.some(l => /^✔ report — tests failed with exit code 1 \(/.test(l)), r.stdout)
  assert.ok(out.includes('  test failed → review: verdict FAIL, 2 issues → fix: 2 attempts, until held'), r.stdout)
  assert.is(r.stderr, '', 'plain output is all on stdout')
})

test('plain output redirected: the failure in order on stdout, no ❯ for a step that never started', async () => {
  const dir = project({'pipelines/broken.yaml': BROKEN})
  const r = await adw(['run', 'broken', '--adw-id', 'broken-1'], {cwd: dir})
  assert.is(r.exitCode, 1)
  assert.is(r.stderr, '')
  // (a › progress line may show under build, depending on how fast it ends)
  assert.equal(r.stdout.split('\n').filter(l => l && !l.startsWith('›')), [
    '❯ build',
    '✖ build — compiling (0.0s) [FAILED: command exited with code 2: boom]'.replace('(0.0s)', r.stdout.match(/\(\d+\.\ds\)/)![0]),
    '↓ later [SKIPPED: needs build, which failed]',
    r.stdout.split('\n').find(l => l.startsWith('✖ run broken-1 failed after '))!,
    'logs: adw logs broken-1',
    'resume: adw run --resume --adw-id broken-1',
  ])
})

test('--verbose streams every output line under its step', async () => {
  const dir = project({'pipelines/check.yaml': CHECK})
  const r = await adw(['run', 'check', '--verbose', '--adw-id', 'v-1'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const out = r.stdout.split('\n')
  const at = out.indexOf('❯ test')
  assert.equal(out.slice(at, at + 4).map(l => l.replace(/\(\d+\.\ds\)/, '(T)')), ['❯ test', '› running tests in src', '› 3 failed', '✖ test — 3 failed (T) [FAILED: command exited with code 1]'])
  const plain = await adw(['run', 'check', '--adw-id', 'v-2'], {cwd: dir})
  assert.not.match(plain.stdout, 'running tests in src', 'without --verbose only the last line, in the title')
})

test('plain progress: streamed text is printed once it is whole, and every tool call appears', async () => {
  const s = new Script().start([{id: 'plan'}]).step('plan', {progress: ["I'll", "I'll read th", "I'll read the README.", 'Read README.md', 'Glob **/*.ts', "Done: it's", "Done: it's small."]}).end()
  const out = capture()
  const r = createReporter('auto', {stdout: out.stream, stderr: capture().stream, isTTY: false})
  const [start, begin, ...rest] = s.events
  r.onEvent(start)
  r.onEvent(begin)
  await sleep(20) // the task is waiting for the step, as in a real run
  for (const e of rest) r.onEvent(e)
  await r.close()
  assert.equal(lines(out.text()).slice(0, 6), ['❯ plan', "› I'll read the README.", '› Read README.md', '› Glob **/*.ts', "› Done: it's small.", '✔ plan (1.0s)'])
})

test('adw logs --follow started before the run (and its database) exists waits for it; STEP fits the later steps', async () => {
  const dir = project({'pipelines/slow.yaml': 'name: slow\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo first"}\n  - id: a_much_longer_step_id\n    uses: shell\n    with: {run: "sleep 1; echo second"}\n'})
  const follow = execa(ADW, ['logs', 'late-1', '--follow'], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
  let err = ''
  follow.stderr.on('data', (d: Buffer) => (err += d))
  for (let i = 0; i < 100 && !err.includes('Waiting'); i++) await sleep(100)
  assert.match(err, 'Waiting for the database to be created')
  const run = await adw(['run', 'slow', '--adw-id', 'late-1', '-q'], {cwd: dir})
  assert.is(run.exitCode, 0, run.stderr)
  const r = await follow
  assert.is(r.exitCode, 0, String(r.stderr))
  const rows = String(r.stdout).split('\n')
  assert.match(rows[0], /^TIME {10}STEP {19}LEVEL/)
  const first = rows.find(l => l.includes('first'))!
  assert.match(first, /^\S+ {2}a {22}INFO {6}output {8}first$/)
  assert.ok(rows.some(l => l.includes('a_much_longer_step_id  INFO')), r.stdout)
})

test('TTY: the running step counts its seconds in its title', () => {
  const has = spawnSync('sh', ['-c', 'command -v script']).status === 0
  assert.ok(has, 'script (util-linux) is required for this test')
  const dir = project({'pipelines/wait.yaml': 'name: wait\nsteps:\n  - id: slow\n    uses: shell\n    with: {run: "sleep 2.5"}\n'})
  const r = spawnSync('script', ['-qfc', `stty cols 100 rows 30; env -u CI '${ADW}' run wait --adw-id tty-1`, '/dev/null'], {cwd: dir, encoding: 'utf8', timeout: 60_000, env: {...process.env, ...isolatedEnv(), CI: ''}})
  assert.is(r.status, 0, r.stderr)
  // eslint-disable-next-line no-control-regex
  const text = r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
  assert.match(text, /slow · [1-9]\d*s/)
  assert.match(text, /✔ slow \(\d+\.\ds\)/)
})

test.run()
