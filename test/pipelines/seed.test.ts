import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promptOf, reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {toolResults} from '../plugins/agent.helpers.js'
import * as S from './seed.helpers.js'

/** A temp working dir, a db inside it, and a fake answering `routes`; cleaned up after `fn`. */
async function withRun(routes: Record<string, any[]>, fn: (t: {dir: string; db: string; url: string; fake: any; left: () => Record<string, number>}) => Promise<void>) {
  const route = routeByPrompt(routes)
  const fake = await startFakeAnthropic(route)
  const dir = tmpDir({'README.md': '# demo\n'})
  try {
    await fn({dir, db: join(dir, 'adw.db'), url: fake.url, fake, left: route.left})
  } finally {
    await fake.close()
    rmDir(dir)
  }
}

const steps = (db: string, adwId: string) =>
  S.query(db, 'SELECT step_id, iteration, status FROM steps WHERE adw_id = ? ORDER BY id', adwId).map(r => `${r.step_id}#${r.iteration}:${r.status}`)

test('plan-build: writes the plan and the code, survives a 529, records cost, and never stores the key', async () => {
  const id = 'pb-1'
  await withRun({[S.STEP.plan]: [reply.error(529), ...S.planTurns(id)], [S.STEP.build]: S.buildTurns(id)}, async ({dir, db, url, left}) => {
    const r = await S.runSeed('plan-build', {adwId: id, dir, db, baseURL: url})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(left(), {})
    assert.match(readFileSync(join(dir, `specs/${id}-plan.md`), 'utf8'), '# Plan: greet')
    assert.match(readFileSync(join(dir, 'src/greet.js'), 'utf8'), 'export const greet')
    assert.equal(steps(db, id), ['plan#0:succeeded', 'build#0:succeeded'])
    const [plan] = S.query(db, "SELECT outputs, model, input_tokens, cost_usd FROM steps WHERE step_id = 'plan'")
    assert.equal(JSON.parse(plan.outputs), {plan_file: `specs/${id}-plan.md`, summary: 'Add greet() with a test.'})
    assert.is(plan.input_tokens, 2100)
    assert.ok(plan.cost_usd > 0)
    const [run] = S.query(db, 'SELECT status, cost_usd FROM runs WHERE adw_id = ?', id)
    assert.is(run.status, 'succeeded')
    assert.ok(run.cost_usd > plan.cost_usd)
    const calls = S.query(db, "SELECT step_name, message FROM agent_logs WHERE adw_id = ? AND log_type = 'tool_call' ORDER BY id", id)
    assert.equal(calls.map(c => c.step_name), ['plan', 'build', 'build', 'build'])
    assert.match(calls[3].message, /^Bash node .* → ok/)
    assert.ok(S.query(db, "SELECT 1 FROM agent_logs WHERE log_type = 'cost_update'").length >= 4)
    assert.not.ok(S.dbBytes(db).includes(S.TEST_KEY), 'the API key is not in the database file or its WAL')
    assert.not.match(r.stdout + r.stderr, S.TEST_KEY)
  })
})

test('plan-build-review: the review verdict is the step outputs; a path escape in build is refused and the run goes on', async () => {
  const id = 'pbr-1'
  const build = [reply.tool('Write', {file_path: '../escape.txt', content: 'x'}), ...S.buildTurns(id)]
  await withRun({[S.STEP.plan]: S.planTurns(id), [S.STEP.build]: build, [S.STEP.review]: S.reviewTurns(S.PASS_REVIEW)}, async ({dir, db, url, fake}) => {
    const r = await S.runSeed('plan-build-review', {adwId: id, dir, db, baseURL: url})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.not.ok(existsSync(join(dir, '../escape.txt')))
    const refused = fake.messageRequests().flatMap((q: any) => toolResults(q.body)).find((t: any) => t.is_error)
    assert.match(refused.content, 'Refused: "../escape.txt" is outside the working directory')
    assert.equal(steps(db, id), ['plan#0:succeeded', 'build#0:succeeded', 'review#0:succeeded'])
    const [review] = S.query(db, "SELECT outputs FROM steps WHERE step_id = 'review'")
    assert.equal(JSON.parse(review.outputs), S.PASS_REVIEW)
    // The reviewer cannot edit files.
    const reviewReq = fake.messageRequests().find((q: any) => promptOf(q).includes(S.STEP.review))
    assert.equal(reviewReq.body.tools.map((t: any) => t.name), ['Read', 'Glob', 'Grep', 'Bash'])
  })
})

test('plan-build-review-fix: FAIL → fix → FAIL → fix → PASS, each fix reading the latest review', async () => {
  const id = 'pbrf-1'
  const secondFail = {...S.FAIL_REVIEW, summary: 'Still needs a second "!".'}
  await withRun(
    {
      [S.STEP.plan]: S.planTurns(id),
      [S.STEP.build]: S.buildTurns(id),
      [S.STEP.review]: S.reviewTurns(S.FAIL_REVIEW),
      [S.STEP.fix]: [...S.fixTurns(id, 1), ...S.fixTurns(id, 2)],
      [S.STEP.rereview]: [...S.reviewTurns(secondFail), ...S.reviewTurns(S.PASS_REVIEW)],
    },
    async ({dir, db, url, fake, left}) => {
      const r = await S.runSeed('plan-build-review-fix', {adwId: id, dir, db, baseURL: url})
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
      assert.equal(left(), {})
      assert.equal(steps(db, id).filter(s => /^(fix_attempt|rereview)/.test(s)), [
        'fix_attempt#1:succeeded', 'rereview#1:succeeded', 'fix_attempt#2:succeeded', 'rereview#2:succeeded',
      ])
      assert.is(readFileSync(join(dir, 'src/greet.js'), 'utf8'), 'export const greet = name => `Hello, ${name}!!!`\n')
      // The fix of attempt 2 read the review of attempt 1, not the first one.
      const reads = fake.messageRequests().filter((q: any) => promptOf(q).includes(S.STEP.fix) && q.body.messages.length === 3)
      assert.is(reads.length, 2)
      assert.match(toolResults(reads[0].body)[0].content, 'No punctuation.')
      assert.match(toolResults(reads[1].body)[0].content, 'Still needs a second')
      assert.equal(JSON.parse(readFileSync(join(dir, `specs/${id}-review.json`), 'utf8')), S.PASS_REVIEW)
      assert.not.ok(S.dbBytes(db).includes(S.TEST_KEY))
    },
  )
})

test('plan-build-review-fix: three failed fixes → WARNING, run completes with exit 0', async () => {
  const id = 'pbrf-2'
  await withRun(
    {
      [S.STEP.plan]: S.planTurns(id),
      [S.STEP.build]: S.buildTurns(id),
      [S.STEP.review]: S.reviewTurns(S.FAIL_REVIEW),
      [S.STEP.fix]: [1, 2, 3].flatMap(n => S.fixTurns(id, n)),
      [S.STEP.rereview]: [1, 2, 3].flatMap(() => S.reviewTurns(S.FAIL_REVIEW)),
    },
    async ({dir, db, url, left}) => {
      const r = await S.runSeed('plan-build-review-fix', {adwId: id, dir, db, baseURL: url})
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
      assert.equal(left(), {})
      assert.is(steps(db, id).filter(s => s.startsWith('fix_attempt#')).length, 3)
      assert.is(S.query(db, 'SELECT status FROM runs WHERE adw_id = ?', id)[0].status, 'succeeded')
      const warnings = S.query(db, "SELECT message FROM agent_logs WHERE adw_id = ? AND log_level = 'WARNING' AND step_name = 'fix'", id)
      assert.ok(warnings.length > 0, 'a WARNING row for the exhausted loop')
    },
  )
})

test('401: the run fails with exit 1 and a message about the key, never the key itself', async () => {
  const id = 'auth-1'
  await withRun({[S.STEP.plan]: [reply.error(401, {message: 'invalid x-api-key'})]}, async ({dir, db, url}) => {
    const r = await S.runSeed('plan-build', {adwId: id, dir, db, baseURL: url})
    assert.is(r.exitCode, 1, r.stderr + r.stdout)
    assert.match(r.stdout + r.stderr, 'Anthropic API rejected the API key')
    assert.not.match(r.stdout + r.stderr, S.TEST_KEY)
    const [run] = S.query(db, 'SELECT status, error FROM runs WHERE adw_id = ?', id)
    assert.is(run.status, 'failed')
    assert.match(run.error, 'ANTHROPIC_API_KEY')
    assert.not.ok(S.dbBytes(db).includes(S.TEST_KEY))
  })
})

test('no ANTHROPIC_API_KEY: exit 2 naming the variable and .env, before any row is written', async () => {
  await withRun({}, async ({dir, db, url, fake}) => {
    const r = await S.runSeed('plan-build', {adwId: 'nokey-1', dir, db, baseURL: url, env: {ANTHROPIC_API_KEY: ''}})
    assert.is(r.exitCode, 2, r.stderr + r.stdout)
    assert.match(r.stderr + r.stdout, 'ANTHROPIC_API_KEY')
    assert.match(r.stderr + r.stdout, '.env')
    assert.is(fake.requests.length, 0)
    assert.not.ok(existsSync(db), 'no database file written')
  })
})

test('the key can come from the working directory .env', async () => {
  const id = 'dotenv-1'
  await withRun({[S.STEP.plan]: S.planTurns(id), [S.STEP.build]: S.buildTurns(id)}, async ({dir, db, url, fake}) => {
    writeFileSync(join(dir, '.env'), `ANTHROPIC_API_KEY=${S.TEST_KEY}\n`)
    const r = await S.runSeed('plan-build', {adwId: id, dir, db, baseURL: url, env: {ANTHROPIC_API_KEY: ''}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.is(fake.messageRequests()[0].headers.authorization, `Bearer ${S.TEST_KEY}`)
    assert.not.ok(S.dbBytes(db).includes(S.TEST_KEY))
  })
})

test.run()
