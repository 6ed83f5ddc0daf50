// Conditions (`if`, `until`) that cannot be evaluated, as `adw run` reports them: a syntax error
// refuses the pipeline (exit 2, nothing written); a condition that fails at run time fails the run
// (exit 1) naming the expression and its file:line:col, and nothing after it runs.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rows, runYaml, stepRuns} from './engine.helpers.js'

const SH = (id: string, run: string, extra = '') => `  - id: ${id}\n${extra}    uses: shell\n    with: {run: "${run}"}\n`
// A step whose executor declares no outputs (noop without `outputs`): reading one passes the load-time
// check (shell's declared outputs would be checked there, see pipeline/typos) and fails at run time.
const UNDECLARED = (id: string, withBlock = '{sleepMs: 0}') => `  - id: ${id}\n    uses: noop\n    with: ${withBlock}\n`

test('an if with a syntax error: exit 2 at file:line:col with a caret, no database', async () => {
  const r = await runYaml(`name: c\nsteps:\n${SH('a', 'echo 1')}${SH('b', 'touch b', '    if: steps.a.outputs.exitCode == = 1\n')}`)
  assert.is(r.exitCode, 2, r.stderr)
  assert.match(r.stderr, /p\.yaml:7:37: Invalid expression in if of step "b": /)
  assert.match(r.stderr, /\n {2}7 \| {5}if: steps\.a\.outputs\.exitCode == = 1\n {42}\^/)
  assert.not.ok(existsSync(r.db), 'nothing written')
})

test('an until naming a step that does not exist: exit 2 before anything runs', async () => {
  const yaml = `name: c\nsteps:\n  - id: l\n    loop: {maxAttempts: 2, until: 'steps.nope.outputs.ok == true'}\n    steps:\n${SH('x', 'touch ran-x').replace(/^/gm, '    ')}`
  const r = await runYaml(yaml)
  assert.is(r.exitCode, 2, r.stderr)
  assert.match(r.stderr, /p\.yaml:4:\d+: .*nope/)
  assert.not.ok(existsSync(join(r.dir, 'ran-x')))
  assert.not.ok(existsSync(r.db))
})

test('an if that cannot be evaluated (a missing output) fails the run: exit 1, the expression and its location, later steps skipped', async () => {
  const r = await runYaml(`name: c\nsteps:\n${UNDECLARED('a')}${SH('b', 'touch b', '    if: steps.a.outputs.nope == 1\n')}${SH('after', 'touch after')}`, ['--adw-id', 'if-1'])
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const [run] = rows(r.db, 'SELECT status, error FROM runs')
  assert.is(run.status, 'failed')
  assert.match(run.error, /^Condition `steps\.a\.outputs\.nope == 1` \(.*p\.yaml:7:9\) could not be evaluated: No such key: nope/)
  assert.match(run.error, 'has(steps.a.outputs.nope)', 'says how to test a key that may be missing')
  assert.match(r.stdout, 'could not be evaluated')
  assert.not.ok(existsSync(join(r.dir, 'b')) || existsSync(join(r.dir, 'after')))
  assert.equal(stepRuns(r.db), ['a#0:succeeded', 'after#0:skipped'])
  assert.is(rows(r.db, "SELECT reason FROM steps WHERE step_id = 'after'")[0].reason, 'needs b, which failed')
})

test('an if comparing a string with a number fails the run naming the expression', async () => {
  // (noop's outputs are typed dyn: the string is only known at run time)
  const r = await runYaml(`name: c\nsteps:\n${UNDECLARED('a', '{outputs: {v: "5"}}')}${SH('b', 'touch b', '    if: steps.a.outputs.v > 3\n')}`)
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  assert.match(rows(r.db, 'SELECT error FROM runs')[0].error, /^Condition `steps\.a\.outputs\.v > 3` \(.*p\.yaml:7:9\) could not be evaluated: /)
  assert.not.ok(existsSync(join(r.dir, 'b')))
})

test("a loop's until that cannot be evaluated fails the run at once, even with onExhausted: continue: exit 1, one iteration, nothing after", async () => {
  const yaml = `name: c
steps:
  - id: fix_loop
    loop: {maxAttempts: 3, until: 'steps.check.outputs.nope == "x"', onExhausted: continue}
    steps:
      - id: mark
        uses: shell
        with: {run: "echo x >> ran-check"}
      - id: check
        uses: noop
${SH('after', 'touch after')}`
  const r = await runYaml(yaml, ['--adw-id', 'until-1'])
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const [run] = rows(r.db, 'SELECT status, error FROM runs')
  assert.is(run.status, 'failed')
  assert.match(run.error, /^Condition `steps\.check\.outputs\.nope == "x"` \(.*p\.yaml:4:36\) could not be evaluated: No such key: nope/)
  assert.is(readFileSync(join(r.dir, 'ran-check'), 'utf8'), 'x\n', 'no second attempt')
  assert.not.ok(existsSync(join(r.dir, 'after')))
  assert.equal(stepRuns(r.db), ['mark#1:succeeded', 'check#1:succeeded', 'after#0:skipped'])
  const errors = rows(r.db, "SELECT message FROM agent_logs WHERE log_level IN ('ERROR', 'CRITICAL')").map(x => x.message)
  assert.ok(errors.some(m => m.includes('could not be evaluated')), JSON.stringify(errors))
})

test.run()
