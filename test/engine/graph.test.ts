// Steps as a graph (`needs:`), through the real CLI: what runs side by side, in which order, what
// a failure skips, failFast, always(), the concurrency limits and Ctrl-C. Order is shown with
// marks that the shell steps append to one file (+id when a step starts, -id when it ends), never
// with timings.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {ADW, isolatedEnv, tmpDir} from '../helpers/cli.js'
import {until, waitingFor} from '../helpers/deadline.js'
import {rows, runYaml, stepRuns} from './engine.helpers.js'

/** A shell step that marks its start and end in `marks`, sleeping `secs` between (waits for a file instead when `gate` is given). */
const MARK = (id: string, opts: {needs?: string; secs?: number; extra?: string; run?: string; gate?: string} = {}) => `  - id: ${id}
${opts.needs !== undefined ? `    needs: ${opts.needs}\n` : ''}${opts.extra ?? ''}    uses: shell
    with:
      run: ${JSON.stringify(`echo +${id} >> marks; ${opts.gate ? `while [ ! -e ${opts.gate} ]; do sleep 0.05; done` : `sleep ${opts.secs ?? 0.3}`}; ${opts.run ?? 'true'}; echo -${id} >> marks`)}
`

const marks = (dir: string): string[] => readFileSync(join(dir, 'marks'), 'utf8').split('\n').filter(Boolean)

/** The most steps running at once, read from the marks. */
function peak(lines: string[]): number {
  let now = 0
  let most = 0
  for (const l of lines) {
    now += l.startsWith('+') ? 1 : -1
    most = Math.max(most, now)
  }
  return most
}

/** Whether `a` ended before `b` started. */
const before = (lines: string[], a: string, b: string) => lines.indexOf(`-${a}`) >= 0 && lines.indexOf(`-${a}`) < lines.indexOf(`+${b}`)

test('a diamond: b and c start after a and run side by side; d starts after both and reads both outputs', async () => {
  const r = await runYaml(
    `name: diamond\nsteps:\n${MARK('a')}${MARK('b', {needs: '[a]', secs: 1, run: 'echo B'})}${MARK('c', {needs: '[a]', secs: 1, run: 'echo C'})}${MARK('d', {needs: '[b, c]', run: 'echo "{{steps.b.outputs.stdout}}{{steps.c.outputs.stdout}}" > d.txt'})}`,
  )
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const m = marks(r.dir)
  assert.ok(before(m, 'a', 'b') && before(m, 'a', 'c'), m.join(' '))
  assert.ok(m.indexOf('+c') < m.indexOf('-b') && m.indexOf('+b') < m.indexOf('-c'), `b and c overlap: ${m.join(' ')}`)
  assert.ok(before(m, 'b', 'd') && before(m, 'c', 'd'), m.join(' '))
  assert.is(readFileSync(join(r.dir, 'd.txt'), 'utf8').trim(), 'BC')
  assert.equal(stepRuns(r.db).sort(), ['a#0:succeeded', 'b#0:succeeded', 'c#0:succeeded', 'd#0:succeeded'])
  const graph = JSON.parse(rows(r.db, 'SELECT graph FROM runs')[0].graph)
  assert.equal(graph, [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']], 'the edges are stored with the run')
})

test('needs: [] starts at once, beside the step written before it; without needs a step still follows the one before', async () => {
  const r = await runYaml(`name: n\nsteps:\n${MARK('first', {gate: 'go'})}${MARK('free', {needs: '[]', run: 'touch go'})}${MARK('after')}`)
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const m = marks(r.dir)
  assert.ok(m.indexOf('+free') < m.indexOf('-first'), `free ran while first waited for it: ${m.join(' ')}`)
  assert.ok(before(m, 'free', 'after'), `after follows free, the step before it: ${m.join(' ')}`)
})

test('a failed step skips what depends on it (with the reason) while an independent branch finishes; the run fails, exit 1', async () => {
  const r = await runYaml(
    `name: f\nsteps:\n${MARK('a')}${MARK('bad', {needs: '[a]', run: 'exit 3'})}${MARK('slow', {needs: '[a]', secs: 1})}${MARK('child', {needs: '[bad]'})}${MARK('grandchild', {needs: '[child]'})}`,
    ['--adw-id', 'skip-1'],
  )
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const m = marks(r.dir)
  assert.ok(m.includes('-slow'), `the independent branch finished: ${m.join(' ')}`)
  assert.not.ok(m.some(l => l.includes('child')), 'nothing downstream of bad ran')
  const reasons = Object.fromEntries(rows(r.db, "SELECT step_id, reason FROM steps WHERE status = 'skipped'").map(x => [x.step_id, x.reason]))
  assert.equal(reasons, {child: 'needs bad, which failed', grandchild: 'needs child, which did not run because bad failed'})
  assert.match(r.stdout, /^↓ \[child\] \[SKIPPED: needs bad, which failed\]$/m, 'plain lines of parallel steps say whose they are')
  const [run] = rows(r.db, 'SELECT status, error FROM runs')
  assert.is(run.status, 'failed')
  assert.match(run.error, /^step bad failed: command exited with code 3/)
})

test('continueOnError: the failure is recorded, dependents run and the run succeeds', async () => {
  const r = await runYaml(`name: f\nsteps:\n${MARK('bad', {run: 'exit 3', extra: '    continueOnError: true\n'})}${MARK('next', {needs: '[bad]'})}`)
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.equal(stepRuns(r.db), ['bad#0:failed', 'next#0:succeeded'])
})

test('failFast: a failure cancels the running branch and skips the rest, each with the reason', async () => {
  const r = await runYaml(
    `name: ff\nfailFast: true\nsteps:\n${MARK('long', {needs: '[]', gate: 'never'})}${MARK('bad', {needs: '[]', run: 'sleep 0.5; exit 4'})}${MARK('later', {needs: '[long]'})}`,
  )
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const byId = Object.fromEntries(rows(r.db, 'SELECT step_id, status, reason, error FROM steps').map(x => [x.step_id, x]))
  assert.is(byId.bad.status, 'failed')
  assert.is(byId.long.status, 'cancelled')
  assert.match(byId.long.error, /failFast: step bad failed/)
  assert.is(byId.later.status, 'skipped')
  assert.is(byId.later.reason, 'failFast: step bad failed')
  assert.match(rows(r.db, 'SELECT error FROM runs')[0].error, /^step bad failed/)
})

test('failFast stops a running step whose retry: is on: [any]: it is cancelled once, never tried again', async () => {
  const r = await runYaml(
    `name: ff\nfailFast: true\nsteps:\n${MARK('long', {needs: '[]', gate: 'never', extra: '    retry: {maxAttempts: 3, backoff: {initial: 10ms, max: 10ms}, on: [any]}\n'})}${MARK('bad', {needs: '[]', run: 'sleep 0.5; exit 4'})}`,
  )
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  assert.equal(rows(r.db, "SELECT attempt, status FROM steps WHERE step_id = 'long'").map(x => `${x.attempt}:${x.status}`), ['1:cancelled'])
  assert.equal(rows(r.db, "SELECT message FROM agent_logs WHERE message LIKE '%trying again%'"), [])
  assert.equal(marks(r.dir).filter(m => m === '+long'), ['+long'], 'started once')
})

test('always() runs after a failure upstream, failure() only then, a plain step is skipped', async () => {
  const r = await runYaml(
    `name: a\nsteps:\n${MARK('bad', {run: 'exit 1'})}${MARK('plain', {needs: '[bad]'})}${MARK('cleanup', {needs: '[plain]', extra: '    if: always()\n'})}${MARK('notify', {needs: '[bad]', extra: '    if: failure()\n'})}${MARK('ok_only', {needs: '[bad]', extra: '    if: success()\n'})}`,
  )
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const status = Object.fromEntries(rows(r.db, 'SELECT step_id, status FROM steps').map(x => [x.step_id, x.status]))
  assert.equal(status, {bad: 'failed', plain: 'skipped', cleanup: 'succeeded', notify: 'succeeded', ok_only: 'skipped'})
})

test('always() and failure() when nothing failed: always runs, failure is skipped', async () => {
  const r = await runYaml(`name: a\nsteps:\n${MARK('ok')}${MARK('cleanup', {extra: '    if: always()\n'})}${MARK('notify', {needs: '[ok]', extra: '    if: failure()\n'})}`)
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.equal(stepRuns(r.db).sort(), ['cleanup#0:succeeded', 'notify#0:skipped', 'ok#0:succeeded'])
})

const WIDE = (n: number) => Array.from({length: n}, (_, i) => MARK(`s${i}`, {needs: '[]', secs: 0.4})).join('')

test('concurrency: 2 in the pipeline: never more than 2 steps at once, and 2 do run together', async () => {
  const r = await runYaml(`name: w\nconcurrency: 2\nsteps:\n${WIDE(6)}`)
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const m = marks(r.dir)
  assert.is(m.length, 12)
  assert.is(peak(m), 2, m.join(' '))
})

test('--concurrency wins over the pipeline: 1 runs them one at a time, in file order', async () => {
  const r = await runYaml(`name: w\nconcurrency: 4\nsteps:\n${WIDE(4)}`, ['--concurrency', '1'])
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.equal(marks(r.dir), ['+s0', '-s0', '+s1', '-s1', '+s2', '-s2', '+s3', '-s3'])
})

test('executors.shell.concurrency in adw.config.yaml limits shell steps across branches', async () => {
  const r = await runYaml(`name: w\nconcurrency: 4\nsteps:\n${WIDE(4)}`, [], {'adw.config.yaml': 'executors:\n  shell: {concurrency: 1}\n'})
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.is(peak(marks(r.dir)), 1, marks(r.dir).join(' '))
})

test('a bad executors limit in adw.config.yaml: exit 2 at its line, nothing run', async () => {
  const r = await runYaml(`name: w\nsteps:\n${WIDE(1)}`, [], {'adw.config.yaml': 'executors:\n  shell: {concurrency: 0}\n'})
  assert.is(r.exitCode, 2, r.stderr)
  assert.match(r.stderr, /adw\.config\.yaml:2:\d+: executors\.shell\.concurrency must be a whole number from 1 to 1000/)
})

test('Ctrl-C while two branches run: both are stopped, nothing more starts, the run is cancelled, exit 130', async () => {
  const dir = tmpDir({
    'p.yaml': `name: c\nsteps:\n${MARK('left', {needs: '[]', gate: 'never'})}${MARK('right', {needs: '[]', gate: 'never'})}${MARK('join', {needs: '[left, right]'})}`,
  })
  const db = join(dir, 'adw.db')
  const child = execa(ADW, ['run', 'p.yaml', '--db', db, '--adw-id', 'cc'], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
  await until(() => {
    try {
      return marks(dir).length === 2
    } catch {
      return false
    }
  }, 'both branches to start')
  child.kill('SIGINT')
  const r = await waitingFor('adw run to end after Ctrl-C', child)
  assert.is(r.exitCode, 130, String(r.stderr))
  const status = Object.fromEntries(rows(db, 'SELECT step_id, status FROM steps').map(x => [x.step_id, x.status]))
  assert.equal(status, {left: 'cancelled', right: 'cancelled'})
  assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'cancelled')
})

test.run()
