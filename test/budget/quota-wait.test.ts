// adw run --wait-for-quota, through the real CLI: a Claude Code usage limit (the fake `claude`
// prints the rate_limit_event and result of test/fixtures/claude-code/usage-limit.jsonl, with a reset
// a few seconds ahead) is slept through and the step runs again once the limit lifts; a 429 with a
// retry-after from the agent executor (the real SDK against the fake Messages API) likewise; Ctrl-C
// during the wait exits 130 and the run resumes later.
import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until, waitingFor} from '../helpers/deadline.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {FAKE_DIR} from '../plugins/claude-code.helpers.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const PIPELINE = `name: cc
steps:
  - id: build
    uses: claude-code
    with: {prompt: "Build it"}
  - id: after
    uses: shell
    with: {run: echo after}
`

const project = (yaml = PIPELINE) => {
  const dir = tmpDir({'p.yaml': yaml}, 'adw-quota-')
  dirs.push(dir)
  return dir
}

const limited = (dir: string, resetsAt: number) => ({PATH: `${FAKE_DIR}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: 'usage-limit-event', FAKE_CLAUDE_RESETS_AT: String(resetsAt), FAKE_CLAUDE_LIMIT_LIFTS: '1', FAKE_CLAUDE_ARGV_FILE: join(dir, 'argv.jsonl')})
const stepRuns = (db: string) => rows(db, 'SELECT step_id, status, attempt FROM steps ORDER BY id').map(r => `${r.step_id}:${r.status}:${r.attempt}`)

test('a Claude Code usage limit with a reset a few seconds ahead: adw sleeps until it, says so, and the step runs again', async () => {
  const dir = project()
  const resetsAt = Math.floor(Date.now() / 1000) + 3
  const r = await adw(['run', 'p.yaml', '--adw-id', 'q1', '--db', 'x.db', '--wait-for-quota'], {cwd: dir, env: limited(dir, resetsAt)})
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const reset = new Date(resetsAt * 1000 + 1000).toISOString().replace(/\.\d+Z$/, 'Z')
  // The plain view: the failed attempt and the wait, as lines under the step, then its end.
  assert.match(r.stdout, /✖ attempt 1: rate_limited: Claude Code hit its usage limit \(five-hour\)/)
  assert.match(r.stdout, `⏳ usage limit: waiting until ${reset}`)
  assert.match(r.stdout, /✔ build/)
  const db = join(dir, 'x.db')
  assert.equal(stepRuns(db), ['build:rate_limited:1', 'build:succeeded:2', 'after:succeeded:1'])
  assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
  assert.is(readFileSync(join(dir, 'argv.jsonl'), 'utf8').trim().split('\n').length, 2, 'the CLI is called again once, after the reset')
  const again = rows(db, "SELECT started_at FROM steps WHERE step_id = 'build' AND attempt = 2")[0].started_at
  assert.ok(Date.parse(again) >= resetsAt * 1000, `the second try (${again}) starts after the reset`)
  const logs = await adw(['logs', 'q1', '--db', 'x.db', '--level', 'WARNING', '--json'], {cwd: dir})
  const wait = logs.stdout.trim().split('\n').map(l => JSON.parse(l)).find(row => row.message.includes('--wait-for-quota'))
  assert.match(wait.message, /^Step build: usage limit reached; waiting until /)
  assert.match(wait.message, `waiting until ${new Date(resetsAt * 1000 + 1000).toISOString()} (`)
  assert.match(wait.message, 'to run it again (--wait-for-quota; Ctrl-C stops, the run stays resumable)')
})

test('without --wait-for-quota the same limit fails the run (exit 1) at once, the step rate_limited', async () => {
  const dir = project()
  const r = await adw(['run', 'p.yaml', '--adw-id', 'q2', '--db', 'x.db'], {cwd: dir, env: limited(dir, Math.floor(Date.now() / 1000) + 60)})
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  assert.equal(stepRuns(join(dir, 'x.db')), ['build:rate_limited:1', 'after:skipped:1'])
})

test('Ctrl-C while waiting for the reset: exit 130, the run cancelled; a resume after the reset finishes it', async () => {
  const dir = project()
  const resetsAt = Math.floor(Date.now() / 1000) + 8
  const env = limited(dir, resetsAt)
  const db = join(dir, 'x.db')
  const sub = execa(ADW, ['run', 'p.yaml', '--adw-id', 'q3', '--db', 'x.db', '--wait-for-quota'], {cwd: dir, env: {...isolatedEnv(), ...env}, reject: false, timeout: 60_000})
  try {
    const waitingRow = () => {
      try {
        return rows(db, "SELECT count(*) AS n FROM agent_logs WHERE message LIKE '%--wait-for-quota%'")[0].n === 1
      } catch {
        return false
      }
    }
    await until(waitingRow, 'the wait for the reset to be logged', 30_000)
    sub.kill('SIGINT')
    const r = await waitingFor('adw run to stop', sub)
    assert.is(r.exitCode, 130, String(r.stderr))
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'cancelled')
    assert.equal(stepRuns(db), ['build:rate_limited:1'])
  } finally {
    sub.kill()
  }
  await until(() => Date.now() / 1000 > resetsAt, 'the reset', 30_000)
  const resumed = await adw(['run', '--resume', '--adw-id', 'q3', '--db', 'x.db'], {cwd: dir, env})
  assert.is(resumed.exitCode, 0, resumed.stderr + resumed.stdout)
  assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
})

test('a 429 that outlasts the SDK\'s own retries (agent executor): its retry-after slept through under --wait-for-quota, then the call is made again', async () => {
  const dir = project(`name: api
steps:
  - id: plan
    uses: agent
    with: {prompt: "Plan it", model: claude-sonnet-5-5}
`)
  // The SDK tries three times (maxRetries 2), each refused with the same retry-after.
  const limit = () => reply.error(429, {headers: {'retry-after-ms': '1500'}})
  const fake = await startFakeAnthropic([limit(), limit(), limit(), reply.text('Planned.')])
  try {
    const env = {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
    const r = await adw(['run', 'p.yaml', '--adw-id', 'q4', '--db', 'x.db', '--wait-for-quota'], {cwd: dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stdout, '⏳ rate limit (429, retry-after 2 s): waiting until')
    const db = join(dir, 'x.db')
    assert.equal(stepRuns(db), ['plan:failed:1', 'plan:succeeded:2'])
    assert.is(fake.messageRequests().length, 4)
    const [first, second] = rows(db, 'SELECT started_at, finished_at FROM steps ORDER BY id')
    assert.ok(Date.parse(second.started_at) - Date.parse(first.finished_at) >= 1500, 'waited the retry-after out')
  } finally {
    await fake.close()
  }
})

test.run()
