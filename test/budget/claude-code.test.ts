// Claude Code under budgets and usage limits, through adw run with the fake `claude` (its events are
// shapes of the real CLI's, test/fixtures/claude-code/): a usage limit stops the step as
// rate_limited with the reset time, never success and never retried; a USD budget reaches the CLI
// as --max-budget-usd (what is left), and a stream whose per-call spend crosses it is stopped.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {FAKE_DIR} from '../plugins/claude-code.helpers.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const PIPELINE = `name: cc
steps:
  - id: build
    uses: claude-code
    retry: 3
    with: {prompt: "Build it"}
  - id: after
    uses: shell
    with: {run: echo after}
`

test('a usage limit: step rate_limited with the reset time, run failed (exit 1), the CLI called once', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE}, 'adw-cc-limit-')
  dirs.push(dir)
  const resetsAt = Math.floor(Date.now() / 1000) + 7200
  const argv = join(dir, 'argv.jsonl')
  const r = await adw(['run', 'p.yaml', '--adw-id', 'cc1', '--db', 'x.db'], {
    cwd: dir,
    env: {PATH: `${FAKE_DIR}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: 'usage-limit-event', FAKE_CLAUDE_RESETS_AT: String(resetsAt), FAKE_CLAUDE_ARGV_FILE: argv},
  })
  assert.is(r.exitCode, 1, r.stderr + r.stdout)
  const reset = new Date(resetsAt * 1000).toISOString()
  assert.match(r.stdout + r.stderr, `rate_limited: Claude Code hit its usage limit (five-hour); it resets at ${reset}`)
  const db = join(dir, 'x.db')
  assert.equal(rows(db, 'SELECT step_id, status FROM steps ORDER BY id').map(r => `${r.step_id}:${r.status}`), ['build:rate_limited', 'after:skipped'], 'what needs build is skipped (needs build, which failed)')
  assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'failed')
  assert.is(readFileSync(argv, 'utf8').trim().split('\n').length, 1, 'not retried')
})

test('--max-usd reaches the CLI as --max-budget-usd with what is left', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE}, 'adw-cc-budget-')
  dirs.push(dir)
  const argv = join(dir, 'argv.jsonl')
  const r = await adw(['run', 'p.yaml', '--adw-id', 'cc2', '--db', 'x.db', '--max-usd', '0.5'], {
    cwd: dir,
    env: {PATH: `${FAKE_DIR}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: 'success', FAKE_CLAUDE_ARGV_FILE: argv},
  })
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  const args = JSON.parse(readFileSync(argv, 'utf8').trim().split('\n')[0]) as string[]
  assert.is(args[args.indexOf('--max-budget-usd') + 1], '0.5')
})

test.run()
