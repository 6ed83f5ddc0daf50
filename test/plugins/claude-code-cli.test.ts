import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {existsSync, readFileSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'
import {execa} from 'execa'
import {ADW, adw, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {alive, FAKE_DIR, waitFor} from './claude-code.helpers.js'

function query(db: string, sql: string, ...params: string[]): any[] {
  const conn = new DatabaseSync(db, {readOnly: true})
  try {
    return conn.prepare(sql).all(...params)
  } finally {
    conn.close()
  }
}

const argvs = (dir: string): string[][] => readFileSync(join(dir, 'argv.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l))

/** `adw run` of PIPELINE in a fresh working dir with the fake claude first on PATH. */
async function runFake(adwId: string, env: Record<string, string> = {}, path = `${FAKE_DIR}:${process.env.PATH}`) {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'adw.db')
  const r = await adw(['run', join(dir, 'p.yaml'), '--adw-id', adwId, '--prompt', 'add login', '--working-dir', dir, '--db', db], {
    env: {PATH: path, FAKE_CLAUDE_ROUTES: JSON.stringify({'Review the plan': 'json-review'}), FAKE_CLAUDE_ARGV_FILE: join(dir, 'argv.jsonl'), ...env},
  })
  return {r, dir, db}
}

const PIPELINE = `name: cc
inputs:
  prompt: { type: string, required: true }
steps:
  - id: plan
    uses: claude-code
    with:
      prompt: "/plan {{inputs.prompt}}"
      allowedTools: [Read, Grep]
      maxTurns: 3
  - id: review
    uses: claude-code
    with: { prompt: "Review the plan", output: json, permissionMode: plan }
`

test('adw validate knows claude-code and its options', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const r = await adw(['validate', join(dir, 'p.yaml')])
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
})

test('adw validate catches a misspelt claude-code option before anything runs', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE.replace('permissionMode: plan', 'permisionMode: plan')})
  const r = await adw(['validate', join(dir, 'p.yaml')])
  assert.is(r.exitCode, 2)
  assert.match(r.stdout + r.stderr, 'Unknown option "permisionMode" for claude-code in step "review": did you mean "permissionMode"?')
})

test('adw run: claude-code steps write files, record logs, tokens and cost, and pass outputs on', async () => {
  const {r, dir, db} = await runFake('cc-e2e')
  try {
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.is(readFileSync(join(dir, 'hello.txt'), 'utf8'), 'hello from fake claude\n')
    const steps = query(db, 'SELECT step_id, executor, status, input_tokens, output_tokens, cache_read_tokens, cost_usd, outputs FROM steps WHERE adw_id = ? ORDER BY id', 'cc-e2e')
    assert.equal(steps.map(s => `${s.step_id}:${s.executor}:${s.status}`), ['plan:claude-code:succeeded', 'review:claude-code:succeeded'])
    assert.is(steps[0].input_tokens, 120)
    assert.is(steps[0].cache_read_tokens, 2000)
    assert.is(steps[0].cost_usd, 0.0123)
    assert.equal(JSON.parse(steps[0].outputs), {text: 'Created hello.txt', sessionId: 'sess-fake-0001', numTurns: 3, costUsd: 0.0123})
    assert.is(JSON.parse(steps[1].outputs).verdict, 'FAIL')
    const [run] = query(db, 'SELECT status, cost_usd FROM runs WHERE adw_id = ?', 'cc-e2e')
    assert.equal({...run}, {status: 'succeeded', cost_usd: 0.0246})
    const types = query(db, "SELECT DISTINCT log_type FROM agent_logs WHERE adw_id = ? AND step_name = 'plan'", 'cc-e2e').map(x => x.log_type)
    for (const t of ['state_change', 'output', 'tool_call', 'cost_update', 'performance', 'milestone']) assert.ok(types.includes(t), `a ${t} row (got ${types})`)
    const calls = query(db, "SELECT message FROM agent_logs WHERE adw_id = ? AND log_type = 'tool_call' ORDER BY id", 'cc-e2e').map(x => x.message)
    assert.is(calls[0], 'Write hello.txt')
    const claudeCalls = argvs(dir)
    assert.equal(claudeCalls.map(a => a.at(-1)), ['/plan add login', 'Review the plan'], 'the templated slash command reached claude as one untouched argument')
    assert.equal(claudeCalls[0].slice(4, 8), ['--max-turns', '3', '--permission-mode', 'acceptEdits'])
    assert.equal(claudeCalls[0].slice(-7), ['--allowedTools', 'Read', 'Grep', 'Glob', 'Bash', '--', '/plan add login'], "the step's rules, then the agent's tools that are not edits")
  } finally {
    rmDir(dir)
  }
})

test('adw run: a review without JSON fails the run after one --resume correction', async () => {
  const {r, dir, db} = await runFake('cc-nojson', {FAKE_CLAUDE_ROUTES: '{}', FAKE_CLAUDE_SCENARIO: 'success'})
  try {
    assert.is(r.exitCode, 1)
    assert.ok(existsSync(join(dir, 'hello.txt')))
    const [step] = query(db, "SELECT status, error FROM steps WHERE step_id = 'review'")
    assert.is(step.status, 'failed')
    assert.match(step.error, "Claude Code's final answer is not the JSON the step asks for")
    const calls = argvs(dir)
    assert.is(calls.length, 3)
    assert.ok(calls[2].includes('--resume'))
  } finally {
    rmDir(dir)
  }
})

test('adw run: a crash fails the run with the stderr tail; no claude on PATH stops it before it starts', async () => {
  const crash = await runFake('cc-crash', {FAKE_CLAUDE_ROUTES: '{}', FAKE_CLAUDE_SCENARIO: 'crash'})
  try {
    assert.is(crash.r.exitCode, 1)
    const [step] = query(crash.db, "SELECT status, error FROM steps WHERE step_id = 'plan'")
    assert.is(step.status, 'failed')
    assert.match(step.error, 'claude exited with code 3 without a result event')
    assert.match(step.error, 'TypeError: fake crash')
  } finally {
    rmDir(crash.dir)
  }
  const missing = await runFake('cc-missing', {}, '/usr/bin:/bin')
  try {
    assert.is(missing.r.exitCode, 2, missing.r.stderr + missing.r.stdout)
    assert.match(missing.r.stderr + missing.r.stdout, 'Claude Code CLI not found: "claude" is not on PATH')
    assert.match(missing.r.stderr + missing.r.stdout, 'npm install -g @anthropic-ai/claude-code')
  } finally {
    rmDir(missing.dir)
  }
})

test('adw run: Ctrl-C stops claude and its children, and the run is cancelled (exit 130)', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const pidFile = join(dir, 'grandchild.pid')
  try {
    const sub = execa(ADW, ['run', join(dir, 'p.yaml'), '--adw-id', 'cc-cancel', '--prompt', 'x', '--working-dir', dir, '--db', join(dir, 'adw.db')], {
      env: {...isolatedEnv(), PATH: `${FAKE_DIR}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: 'hang', FAKE_CLAUDE_PID_FILE: pidFile},
      reject: false,
      stdin: 'ignore',
      timeout: 20_000,
    })
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, 10_000, 'the fake to start its grandchild')
    const pid = Number(readFileSync(pidFile, 'utf8'))
    assert.ok(alive(pid))
    sub.kill('SIGINT')
    const r = await sub
    assert.is(r.exitCode, 130, String(r.stderr))
    await waitFor(() => !alive(pid), 3000, `grandchild ${pid} to die`)
    const [run] = query(join(dir, 'adw.db'), 'SELECT status FROM runs WHERE adw_id = ?', 'cc-cancel')
    assert.is(run.status, 'cancelled')
  } finally {
    rmDir(dir)
  }
})

test.run()
