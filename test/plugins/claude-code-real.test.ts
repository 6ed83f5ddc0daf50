import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir, tmpDir, type CliResult} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {reply, routeByPrompt, startFakeAnthropic, type FakeReply} from '../helpers/fake-anthropic.js'
import {realClaudeEnv, requireRealClaude} from '../helpers/real-claude.js'
import {STEP} from '../pipelines/seed.helpers.js'

// The contract with the real Claude Code CLI (the pinned devDependency), driven the way a user does:
// `adw run <seed pipeline> --executor agent=claude-code` with only a key, against the fake Messages API.
const CLAUDE = requireRealClaude()

interface RealRun {
  r: CliResult
  dir: string
  db: string
  /** POST /v1/messages requests the fake received. */
  calls: number
}

/** Routes get the project dir: Claude Code's file tools want absolute paths under it. */
type Routes = (dir: string) => Record<string, FakeReply[]>

async function runReal(adwId: string, routes: Routes, opts: {pipeline?: string; env?: Record<string, string>; files?: Record<string, string>} = {}): Promise<RealRun> {
  const dir = tmpDir({'package.json': '{"name": "demo"}\n', ...opts.files}, 'adw-cc-real-')
  const fake = await startFakeAnthropic(routeByPrompt(routes(dir)))
  const db = join(dir, 'adw.db')
  try {
    const pipeline = opts.pipeline ?? 'plan-build'
    const r = await adw(['run', pipeline, '--executor', 'agent=claude-code', '--adw-id', adwId, '--prompt', 'Add a greeting', '--working-dir', dir, '--db', db], {
      cwd: dir,
      env: {...realClaudeEnv(fake.url), ADW_CLAUDE_BIN: CLAUDE, ...opts.env},
      timeout: 120_000,
    })
    return {r, dir, db, calls: fake.messageRequests().length}
  } finally {
    await fake.close()
  }
}

const stepError = (db: string, id: string) => String(rows(db, 'SELECT error FROM steps WHERE step_id = ?', id)[0]?.error)
const out = (r: CliResult) => r.stdout + r.stderr

const planTurns = (dir: string, id: string): FakeReply[] => [
  reply.tool('Write', {file_path: join(dir, `specs/${id}-plan.md`), content: '# Plan: greet\n'}, 'Writing the plan.'),
  reply.tool('StructuredOutput', {plan_file: `specs/${id}-plan.md`, summary: 'Add greet.js.'}, undefined, {usage: {cache_read_input_tokens: 1000, cache_creation_input_tokens: 200}}),
]

test('plan-build-review-fix on the real CLI does the work with no extra environment; live total, steps and adw runs agree', async () => {
  const id = 'real-pbrf'
  const {r, dir, db} = await runReal(id, d => ({
    [STEP.plan]: planTurns(d, id),
    [STEP.build]: [
      reply.tool('Write', {file_path: join(d, 'greet.js'), content: "console.log('Hello')\n"}),
      reply.tool('Bash', {command: 'node greet.js', description: 'Run it'}),
      reply.text('Implemented greet.js; it prints Hello.'),
    ],
    [STEP.review]: [
      reply.tool('Bash', {command: 'node greet.js', description: 'Validate'}),
      reply.tool('StructuredOutput', {verdict: 'PASS', summary: 'Prints Hello.', issues: []}),
    ],
  }), {pipeline: 'plan-build-review-fix'})
  try {
    assert.is(r.exitCode, 0, out(r))
    assert.is(readFileSync(join(dir, `specs/${id}-plan.md`), 'utf8'), '# Plan: greet\n')
    assert.is(readFileSync(join(dir, 'greet.js'), 'utf8'), "console.log('Hello')\n")
    const bash = rows(db, "SELECT message FROM agent_logs WHERE step_name = 'build' AND log_type = 'tool_call' AND message LIKE 'Bash%→%'")
    assert.match(String(bash[0]?.message), 'Bash node greet.js → ok', 'Bash is pre-approved for a step that may use it')
    const steps = rows(db, 'SELECT step_id, status, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd FROM steps ORDER BY id')
    assert.equal(steps.map(s => `${s.step_id}:${s.status}:${s.model}`), ['plan:succeeded:claude-opus-4-8', 'build:succeeded:claude-opus-4-8', 'review:succeeded:claude-opus-4-8', 'save_review:skipped:null', 'fix:skipped:null'])
    const review = rows(db, "SELECT outputs FROM steps WHERE step_id = 'review'")[0]
    assert.is(JSON.parse(review.outputs).verdict, 'PASS')
    const answered = rows(db, "SELECT message FROM agent_logs WHERE step_name = 'review' AND message = 'StructuredOutput → ok (39 chars)'")
    assert.is(answered.length, 1, 'the review answered through --json-schema (the StructuredOutput tool exists only with it)')
    assert.is(steps[0].cache_read_tokens, 1000)
    const [run] = rows(db, 'SELECT input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens AS tokens, cost_usd FROM runs')
    assert.ok(Math.abs(run.cost_usd - steps.reduce((a, s) => a + s.cost_usd, 0)) < 1e-9)
    // One count everywhere: input + output + cache writes + cache reads.
    const shown = `${(run.tokens / 1000).toFixed(1)}k`
    assert.match(r.stdout, ` · ${shown} tokens · `)
    const runs = await adw(['runs', '--db', db], {cwd: dir})
    assert.match(runs.stdout, new RegExp(`${id} .* ${shown} +\\$`))
  } finally {
    rmDir(dir)
  }
})

test('a refused key (401) fails the step at the first retry, with a message about the key', async () => {
  const {r, dir, db, calls} = await runReal('real-401', () => ({[STEP.plan]: Array(12).fill(reply.error(401))}))
  try {
    assert.is(r.exitCode, 1, out(r))
    assert.match(out(r), 'Claude Code could not authenticate: API status 401')
    assert.match(stepError(db, 'plan'), 'Check ANTHROPIC_API_KEY')
    assert.ok(calls <= 3, `claude was stopped after ${calls} requests, not left to retry`)
    assert.is(rows(db, "SELECT COUNT(*) AS n FROM agent_logs WHERE log_level = 'WARNING' AND message LIKE '%API error 401%'")[0].n, 1)
  } finally {
    rmDir(dir)
  }
})

test('a 500 fails the step with the status after the capped retries (CLAUDE_CODE_MAX_RETRIES), each logged', async () => {
  const {r, dir, db, calls} = await runReal('real-500', () => ({[STEP.plan]: Array(4).fill(reply.error(500))}), {env: {CLAUDE_CODE_MAX_RETRIES: '1'}})
  try {
    assert.is(r.exitCode, 1, out(r))
    assert.match(stepError(db, 'plan'), /^Claude Code failed: the API answered 500 \(1 turns\): API Error: 500/)
    assert.not.match(stepError(db, 'plan'), /success/i)
    assert.is(calls, 2)
    assert.is(rows(db, "SELECT COUNT(*) AS n FROM agent_logs WHERE log_level = 'WARNING' AND message LIKE 'Claude Code API error 500%retry 1 of 1%'")[0].n, 1)
  } finally {
    rmDir(dir)
  }
})

test("a permission denial fails the step (Claude Code's default mode refuses Write), naming the tool", async () => {
  const id = 'real-deny'
  const {r, dir, db} = await runReal(id, d => ({[STEP.plan]: [...planTurns(d, id)]}), {env: {ADW_CLAUDE_PERMISSION_MODE: 'default'}})
  try {
    assert.is(r.exitCode, 1, out(r))
    assert.not.ok(existsSync(join(dir, `specs/${id}-plan.md`)))
    assert.match(stepError(db, 'plan'), 'Claude Code was denied "Write"')
    assert.match(stepError(db, 'plan'), 'permissionMode: acceptEdits')
  } finally {
    rmDir(dir)
  }
})

test('max turns fails the step with its reason', async () => {
  const pipeline = 'name: turns\ninputs: {prompt: {type: string}}\nsteps:\n  - id: work\n    uses: claude-code\n    with: {prompt: "Count the files", maxTurns: 1}\n'
  const {r, dir, db} = await runReal('real-turns', d => ({'Count the files': [reply.tool('Read', {file_path: join(d, 'package.json')}), reply.tool('Read', {file_path: join(d, 'package.json')})]}), {
    pipeline: 'turns.yaml',
    files: {'turns.yaml': pipeline},
  })
  try {
    assert.is(r.exitCode, 1, out(r))
    assert.match(stepError(db, 'work'), "Claude Code stopped at the turn limit (2 turns; raise the step's maxTurns): Reached maximum number of turns (1)")
  } finally {
    rmDir(dir)
  }
})

test.run()
