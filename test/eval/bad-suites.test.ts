import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {ONE_STEP} from './eval.helpers.js'

/** `adw eval` on a suite file: every problem at file:line:col with the source line, exit 2, nothing recorded. */
async function evalOf(suite: string, files: Record<string, string> = {}) {
  const dir = tmpDir({'pipelines/one-step.yaml': ONE_STEP, 'suite.yaml': suite, 'fixture/a.txt': 'a', ...files}, 'adw-eval-bad-')
  const r = await adw(['eval', 'suite.yaml', '--db', join(dir, 'e.db')], {cwd: dir, env: {ANTHROPIC_API_KEY: 'k'}})
  const recorded = existsSync(join(dir, 'e.db'))
  rmDir(dir)
  return {...r, recorded}
}

test('schema problems, all at once, located', async () => {
  const r = await evalOf(`name: s
pipelines: [one-step]
repeats: 2
cases:
  - id: a
    fixture: fixture
    prompt: x
    checks:
      - file: a.txt
        contain: a
      - run: 3
`)
  assert.is(r.exitCode, 2, r.stderr)
  assert.not.ok(r.recorded)
  assert.match(r.stderr, 'suite.yaml:3:1: Unknown key "repeats" in the suite: did you mean "repeat"?')
  assert.match(r.stderr, 'suite.yaml:10:9: Unknown key "contain" in check 1 of case "a": did you mean "contains"?')
  assert.match(r.stderr, 'suite.yaml:11:14: run of check 2 of case "a" must be a string, got number 3')
  assert.match(r.stderr, '  3 | repeats: 2\n      ^')
  assert.not.match(r.stderr, 'at ')
})

test('semantic problems: two starts, no task, a missing folder, a bad ref, duplicate ids, checks that contradict', async () => {
  const r = await evalOf(`name: s
pipelines: [one-step]
cases:
  - id: a
    fixture: fixture
    repo: .
    prompt: x
    checks: [{file: a.txt}]
  - id: b
    fixture: nowhere
    checks: [{file: a.txt, exists: false, contains: a}]
  - id: a
    fixture: fixture
    prompt: y
    issue: 3
    checks: [{run: "true", file: a.txt}, {file: ../up.txt}]
`)
  assert.is(r.exitCode, 2, r.stderr)
  assert.not.ok(r.recorded)
  assert.match(r.stderr, 'suite.yaml:4:5: case "a" needs exactly one starting state: fixture: (a folder copied for each run) or repo: (a git repository, with ref:)')
  assert.match(r.stderr, 'suite.yaml:10:14: fixture: nowhere of case "b" is not a folder')
  assert.match(r.stderr, 'case "b" needs exactly one task: prompt: (the text) or issue: (a GitHub issue number)')
  assert.match(r.stderr, 'suite.yaml:11:43: check 1 of case "b" says exists: false, so contains: cannot hold')
  assert.match(r.stderr, 'suite.yaml:12:9: Duplicate case id "a"')
  assert.match(r.stderr, 'check 1 of case "a" must have exactly one of run:, file: or judge: (it has run and file)')
  assert.match(r.stderr, 'file: ../up.txt in check 2 of case "a" must be a path inside the run\'s folder')
})

test('a git ref that does not exist; a YAML syntax error; a pipeline that is not there; inputs a pipeline needs', async () => {
  const ref = await evalOf(`name: s
pipelines: [one-step]
cases:
  - {id: a, repo: ., ref: no-such-branch, prompt: x, checks: [{file: a.txt}]}
`)
  assert.is(ref.exitCode, 2)
  assert.match(ref.stderr, 'ref no-such-branch of case "a" is not a commit, branch or tag of the git repository')

  const yaml = await evalOf('name: s\ncases: [\n')
  assert.is(yaml.exitCode, 2)
  assert.match(yaml.stderr, /suite\.yaml:\d+:\d+: YAML syntax error/)

  const missing = await evalOf(`name: s
pipelines: [nope]
cases:
  - {id: a, fixture: fixture, prompt: x, checks: [{file: a.txt}]}
`)
  assert.is(missing.exitCode, 2)
  assert.match(missing.stderr, 'pipeline "nope" not found')
  assert.not.ok(missing.recorded)

  const needs = await evalOf(`name: s
pipelines: [needs.yaml]
cases:
  - {id: a, fixture: fixture, prompt: x, checks: [{file: a.txt}]}
`, {'needs.yaml': 'name: needs\ninputs:\n  target: {type: string, required: true}\nsteps:\n  - {id: a, uses: noop}\n'})
  assert.is(needs.exitCode, 2, needs.stderr)
  assert.match(needs.stderr, 'case "a" with pipeline needs.yaml:')
  assert.match(needs.stderr, 'target')
  assert.not.ok(needs.recorded)
})

test('no suite file; --resume with a flag that would change the trials', async () => {
  const dir = tmpDir({}, 'adw-eval-bad-')
  try {
    const r = await adw(['eval', 'missing.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'Error: Suite file missing.yaml not found')
    const resume = await adw(['eval', 'missing.yaml', '--resume', 'eval-x', '--repeat', '2'], {cwd: dir})
    assert.is(resume.exitCode, 2)
  } finally {
    rmDir(dir)
  }
})

test.run()
