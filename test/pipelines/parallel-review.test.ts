// The fourth built-in pipeline, plan-build-parallel-review, end to end with the fake Messages API:
// the two reviews run side by side, a FAIL from either one starts the fix loop, whose two
// re-reviews run side by side too.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {promptOf, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {adw, ROOT, rmDir, tmpDir} from '../helpers/cli.js'
import {toolResults} from '../plugins/agent.helpers.js'
import * as S from './seed.helpers.js'

const ROUTE = {
  correctness: 'Review the implementation for correctness',
  tests: 'Review the tests of the implementation',
  fix: 'Reviewers found problems',
  recorrectness: 'Review again for correctness',
  retests: 'Review the tests again',
}

/** [step, started_at, finished_at] of each step run, in order. */
const timeline = (db: string) => S.query(db, 'SELECT step_id, iteration, status, started_at, finished_at FROM steps ORDER BY id')

/** Whether two step runs were running at the same moment (each started before the other finished). */
const overlap = (a: {started_at: string; finished_at: string}, b: {started_at: string; finished_at: string}) => a.started_at < b.finished_at && b.started_at < a.finished_at

test('plan-build-parallel-review: correctness FAIL, tests PASS (side by side) → one fix → both re-reviews PASS (side by side)', async () => {
  const id = 'ppr-1'
  const route = routeByPrompt({
    [S.STEP.plan]: S.planTurns(id),
    [S.STEP.build]: S.buildTurns(id),
    [ROUTE.correctness]: S.reviewTurns(S.FAIL_REVIEW),
    [ROUTE.tests]: S.reviewTurns(S.PASS_REVIEW),
    [ROUTE.fix]: S.fixTurns(id, 1),
    [ROUTE.recorrectness]: S.reviewTurns(S.PASS_REVIEW),
    [ROUTE.retests]: S.reviewTurns(S.PASS_REVIEW),
  })
  const fake = await startFakeAnthropic(route)
  const dir = tmpDir({'README.md': '# demo\n'})
  const db = join(dir, 'adw.db')
  try {
    const r = await S.runSeed('plan-build-parallel-review', {adwId: id, dir, db, baseURL: fake.url})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(route.left(), {})
    const rows = timeline(db)
    assert.equal(rows.map(x => `${x.step_id}#${x.iteration}:${x.status}`).sort(), [
      'build#0:succeeded', 'fix_attempt#1:succeeded', 'plan#0:succeeded', 'rereview_correctness#1:succeeded', 'rereview_tests#1:succeeded',
      'review_correctness#0:succeeded', 'review_tests#0:succeeded', 'save_rereviews#1:succeeded', 'save_reviews#0:succeeded',
    ])
    const by = (step: string) => rows.find(x => x.step_id === step)!
    assert.ok(overlap(by('review_correctness'), by('review_tests')), 'the two reviews ran side by side')
    assert.ok(overlap(by('rereview_correctness'), by('rereview_tests')), 'the two re-reviews ran side by side')
    assert.ok(by('build').finished_at <= by('review_tests').started_at && by('fix_attempt').finished_at <= by('rereview_tests').started_at)
    // The fix read both reviews from one file.
    const read = fake.messageRequests().find((q: any) => promptOf(q).includes(ROUTE.fix) && q.body.messages.length === 3)
    assert.equal(JSON.parse(toolResults(read.body)[0].content.replace(/^[^{]*/, '')), {correctness: S.FAIL_REVIEW, tests: S.PASS_REVIEW})
    assert.equal(JSON.parse(readFileSync(join(dir, `specs/${id}-review.json`), 'utf8')), {correctness: S.PASS_REVIEW, tests: S.PASS_REVIEW})
    assert.is(readFileSync(join(dir, 'src/greet.js'), 'utf8'), 'export const greet = name => `Hello, ${name}!`\n')
    // The graph is stored with the run.
    const graph: string[][] = JSON.parse(S.query(db, 'SELECT graph FROM runs')[0].graph)
    assert.ok(graph.some(([a, b]) => a === 'build' && b === 'review_tests') && graph.some(([a, b]) => a === 'fix/fix_attempt' && b === 'fix/rereview_tests'), JSON.stringify(graph))
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('plan-build-parallel-review passes adw validate and is listed among the built-ins', async () => {
  const v = await adw(['validate', join(ROOT, 'pipelines', 'plan-build-parallel-review.yaml')])
  assert.is(v.exitCode, 0, v.stderr + v.stdout)
  const dir = tmpDir()
  try {
    const list = await adw(['pipelines'], {cwd: dir})
    assert.match(list.stdout, /^plan-build-parallel-review +built-in/m)
  } finally {
    rmDir(dir)
  }
})

test.run()
