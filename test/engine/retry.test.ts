// retry: through the real CLI: each attempt a recorded step run, the wait honouring retry-after and
// logged with its reason, never a retry of auth failures, and Ctrl-C during the wait.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {execa} from 'execa'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {ADW, isolatedEnv, tmpDir} from '../helpers/cli.js'
import {until, waitingFor} from '../helpers/deadline.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {rows, runYaml} from './engine.helpers.js'

const AGENT = (retry: string) => `name: r
steps:
  - id: ask
    uses: agent
    retry: ${retry}
    with: {prompt: "Say hi"}
`

test('a 429 with retry-after: 1 is tried again after the wait it asked for; both attempts recorded, the wait logged with its reason', async () => {
  const fake = await startFakeAnthropic([reply.error(429, {retry: false, headers: {'retry-after': '1'}}), reply.text('hi')])
  try {
    const r = await runYaml(AGENT('{maxAttempts: 3}'), ['--adw-id', 'r-1'], {}, {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const runs = rows(r.db, 'SELECT attempt, status, started_at, finished_at FROM steps ORDER BY id')
    assert.equal(runs.map(x => `${x.attempt}:${x.status}`), ['1:failed', '2:succeeded'])
    assert.ok(Date.parse(runs[1].started_at) - Date.parse(runs[0].finished_at) >= 900, 'waited about the second retry-after asked for')
    const [wait] = rows(r.db, "SELECT message FROM agent_logs WHERE message LIKE '%trying again%'")
    assert.match(wait.message, /^Step ask rate_limit \(429\): trying again in 1\.0 s \(attempt 2 of 3, as retry-after asked\)/)
    assert.is(fake.messageRequests().length, 2)
  } finally {
    await fake.close()
  }
})

test("with retry: the step's policy is the only retry layer: a 529 fails the attempt at once (no SDK retries under it), and the next attempt succeeds; without retry: the SDK still retries the request", async () => {
  const fake = await startFakeAnthropic([reply.error(529), reply.text('hi'), reply.error(529), reply.text('hi again')])
  try {
    const r = await runYaml(AGENT('{maxAttempts: 2, backoff: {initial: 10ms, max: 20ms}}'), ['--adw-id', 'r-layer'], {}, {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(rows(r.db, 'SELECT attempt, status FROM steps ORDER BY id').map(x => `${x.attempt}:${x.status}`), ['1:failed', '2:succeeded'], 'the 529 ended attempt 1: the SDK did not retry it')
    assert.match(rows(r.db, "SELECT error FROM steps WHERE attempt = 1")[0].error, /Anthropic API error 529 [^(]*\.$/, 'no "(after N retries)": none were made')
    assert.is(fake.messageRequests().length, 2)
    const plain = await runYaml(`name: r\nsteps:\n  - id: ask\n    uses: agent\n    with: {prompt: "Say hi"}\n`, ['--adw-id', 'r-sdk'], {}, {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url})
    assert.is(plain.exitCode, 0, plain.stderr + plain.stdout)
    assert.equal(rows(plain.db, 'SELECT attempt, status FROM steps').map(x => `${x.attempt}:${x.status}`), ['1:succeeded'], 'the SDK retried the 529 within the one step run')
    assert.is(fake.messageRequests().length, 4)
  } finally {
    await fake.close()
  }
})

test('an auth failure (401) is never retried, whatever maxAttempts says', async () => {
  const fake = await startFakeAnthropic([reply.error(401, {retry: false}), reply.text('never')])
  try {
    const r = await runYaml(AGENT('{maxAttempts: 5, on: [any]}'), [], {}, {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url})
    assert.is(r.exitCode, 1, r.stderr + r.stdout)
    assert.equal(rows(r.db, 'SELECT attempt, status FROM steps').map(x => `${x.attempt}:${x.status}`), ['1:failed'])
    assert.is(fake.messageRequests().length, 1)
  } finally {
    await fake.close()
  }
})

test('a flaky command with retry on: [exit] succeeds on its second attempt; without exit in on it is not retried', async () => {
  const step = (on: string) => `name: r
steps:
  - id: flaky
    uses: shell
    retry: {maxAttempts: 3, backoff: {initial: 10ms, max: 20ms}, on: [${on}]}
    with: {run: "echo x >> tries; test $(wc -l < tries) -ge 2"}
`
  const ok = await runYaml(step('exit'))
  assert.is(ok.exitCode, 0, ok.stderr + ok.stdout)
  assert.equal(rows(ok.db, 'SELECT attempt, status FROM steps ORDER BY id').map(x => `${x.attempt}:${x.status}`), ['1:failed', '2:succeeded'])
  const no = await runYaml(step('server'))
  assert.is(no.exitCode, 1, no.stderr + no.stdout)
  assert.equal(rows(no.db, 'SELECT attempt, status FROM steps').map(x => `${x.attempt}:${x.status}`), ['1:failed'])
})

test('Ctrl-C during the wait before a retry: the run is cancelled at once, exit 130, no further attempt', async () => {
  const dir = tmpDir({
    'p.yaml': `name: r
steps:
  - id: flaky
    uses: shell
    retry: {maxAttempts: 3, backoff: {initial: 30s, max: 30s}, on: [exit]}
    with: {run: "echo x >> tries; exit 1"}
`,
  })
  const db = join(dir, 'adw.db')
  const child = execa(ADW, ['run', 'p.yaml', '--db', db], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
  await until(() => {
    try {
      return rows(db, "SELECT 1 FROM agent_logs WHERE message LIKE '%trying again%'").length > 0
    } catch {
      return false
    }
  }, 'the retry wait to begin')
  child.kill('SIGINT')
  const r = await waitingFor('adw run to end after Ctrl-C', child)
  assert.is(r.exitCode, 130, String(r.stderr))
  assert.equal(rows(db, 'SELECT attempt, status FROM steps').map(x => `${x.attempt}:${x.status}`), ['1:failed'])
  assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'cancelled')
})

test.run()
