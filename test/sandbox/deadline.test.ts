import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {MARK, processesWith, requireBwrap, TEST_KEY, waitNoProcess} from './sandbox.helpers.js'

// A step's timeout and Ctrl-C act within about a second whatever a tool is doing: here a
// sandboxed Bash command that would sleep for 1000 s. The bounds below allow 5 s, not 1 s, because
// this machine is shared and loaded; what they catch is the old behaviour (waiting for the tool:
// the 1000 s sleep, or the 16 s of a backtracking Grep), which is far outside them.

const agentPipeline = (timeout?: string) => `name: deadline
steps:
  - id: work
    uses: agent
${timeout ? `    timeout: ${timeout}\n` : ''}    with: {prompt: "work for a long time"}
`

function startRun(dir: string, url: string, adwId: string) {
  return execa(ADW, ['run', 'p.yaml', '--adw-id', adwId, '--db', 'adw.db'], {
    cwd: dir,
    env: {...isolatedEnv(), ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: url},
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  })
}

async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await sleep(20)
  }
}

test('a step timeout stops a long Bash call and its sandbox within seconds', async () => {
  await requireBwrap()
  const mark = `1000.${MARK}8`
  // 5 s, so that the Bash call has surely started when it fires, even on a loaded machine.
  const dir = tmpDir({'p.yaml': agentPipeline('5s')})
  const fake = await startFakeAnthropic([reply.tool('Bash', {command: `sleep ${mark}`})])
  try {
    const sub = startRun(dir, fake.url, 'deadline-timeout')
    let ended = false
    void sub.finally(() => (ended = true))
    await waitFor('the sandboxed sleep', () => ended || processesWith(`sleep\0${mark}`).length > 0)
    assert.not.ok(ended, 'the step ended before its Bash call started')
    const started = Date.now()
    const r = await sub
    assert.ok(Date.now() - started < 10_000, `the run ended ${Date.now() - started} ms after the Bash call began (timeout 5 s)`)
    assert.is(r.exitCode, 1, r.stderr)
    const [step] = rows(join(dir, 'adw.db'), 'SELECT status, error FROM steps')
    assert.is(step.status, 'failed')
    assert.match(step.error, 'timed out after 5', step.error)
    assert.equal(await waitNoProcess(`sleep\0${mark}`), [])
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('Ctrl-C during a Bash call: exit 130 within seconds, nothing left running', async () => {
  await requireBwrap()
  const mark = `1000.${MARK}9`
  const dir = tmpDir({'p.yaml': agentPipeline()})
  const fake = await startFakeAnthropic([reply.tool('Bash', {command: `setsid sleep ${mark} & sleep ${mark}`})])
  try {
    const sub = startRun(dir, fake.url, 'deadline-ctrl-c')
    await waitFor('the sandboxed sleeps', () => processesWith(`sleep\0${mark}`).length >= 2)
    const started = Date.now()
    sub.kill('SIGINT')
    const r = await sub
    assert.ok(Date.now() - started < 5000, `exited ${Date.now() - started} ms after SIGINT`)
    assert.is(r.exitCode, 130, r.stderr)
    assert.is(rows(join(dir, 'adw.db'), 'SELECT status FROM runs')[0].status, 'cancelled')
    assert.equal(await waitNoProcess(`sleep\0${mark}`), [])
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('kill -9 of adw during a sandboxed step: the sandbox and everything in it die too', async () => {
  await requireBwrap()
  const mark = `1000.${MARK}6`
  const dir = tmpDir({'p.yaml': `name: killed\nsteps:\n  - id: boxed\n    uses: shell\n    with: {sandbox: true, run: "setsid sleep ${mark} & sleep ${mark}"}\n`})
  try {
    const sub = execa(ADW, ['run', 'p.yaml', '--db', 'adw.db'], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
    await waitFor('the sandboxed sleeps', () => processesWith(`sleep\0${mark}`).length >= 2)
    sub.kill('SIGKILL')
    await sub
    assert.equal(await waitNoProcess(`sleep\0${mark}`), [], 'bwrap --die-with-parent took them along')
  } finally {
    rmDir(dir)
  }
})

test.run()
