import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {startFakeGitHub} from '../helpers/fake-github.js'
import {gitSync, testRepo} from '../helpers/git-repo.js'
import * as S from './seed.helpers.js'

test('plan-build-review-fix-pr --issue: the seed\'s four steps in a worktree, then commit, push and a pull request with the plan summary, the verdicts and the cost', async () => {
  const id = 'pr-e2e'
  const route = routeByPrompt({
    [S.STEP.plan]: S.planTurns(id),
    [S.STEP.build]: S.buildTurns(id),
    [S.STEP.review]: S.reviewTurns(S.FAIL_REVIEW),
    [S.STEP.fix]: S.fixTurns(id, 1),
    [S.STEP.rereview]: S.reviewTurns(S.PASS_REVIEW),
  })
  const anthropic = await startFakeAnthropic(route)
  const repo = testRepo({'README.md': '# demo\n'}, {'.env': 'APP_SECRET=never-in-the-pr-123\n'})
  const gh = await startFakeGitHub({issues: {12: {title: 'Add greet()', body: 'We need a greet(name) function in src/greet.js with a test.'}}, headExists: b => {
    try {
      gitSync(repo.remote, ['rev-parse', '--verify', `refs/heads/${b}`])
      return true
    } catch {
      return false
    }
  }})
  try {
    const r = await adw(['run', 'plan-build-review-fix-pr', '--issue', '12', '--adw-id', id], {
      cwd: repo.dir,
      env: {ANTHROPIC_API_KEY: S.TEST_KEY, ANTHROPIC_BASE_URL: anthropic.url, GITHUB_TOKEN: gh.token, GH_TOKEN: '', GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/app'},
      timeout: 120_000,
    })
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(route.left(), {}, 'every scripted turn was used')
    // The plan's prompt was the issue.
    const planPrompt = JSON.stringify(anthropic.messageRequests()[0].body.messages[0])
    assert.match(planPrompt, 'We need a greet(name) function in src/greet.js with a test.')

    const path = join(repo.dir, '.adw/worktrees', id)
    assert.ok(existsSync(join(path, 'src/greet.js')), 'the agent worked in the worktree')
    assert.not.ok(existsSync(join(repo.dir, 'src/greet.js')), 'not in the checkout')
    // Pushed: the branch on the remote holds the code, the plan and the review, and no .env.
    assert.equal(gitSync(repo.remote, ['ls-tree', '-r', '--name-only', `adw/${id}`]).split('\n'), ['README.md', `specs/${id}-plan.md`, `specs/${id}-review.json`, 'src/greet.js'])
    assert.is(gitSync(repo.remote, ['log', '-1', '--format=%B', `adw/${id}`]), `Add greet() with a test.\n\nPlanned, built and reviewed by adw run ${id}; plan: specs/${id}-plan.md\n\nCloses #12`)

    assert.is(gh.pulls.length, 1)
    const pr = gh.pulls[0]
    assert.equal([pr.title, pr.head, pr.base], ['Add greet() with a test.', `adw/${id}`, 'main'])
    const cost = rows(join(repo.dir, '.adw/orchestrator.db'), `SELECT cost_usd FROM runs WHERE adw_id = '${id}'`)[0].cost_usd
    assert.ok(cost > 0, 'the fake usage has a cost')
    assert.match(pr.body, 'Closes #12')
    assert.match(pr.body, `| Plan | \`specs/${id}-plan.md\` |`)
    assert.match(pr.body, '| Review | **FAIL**: No punctuation. |')
    assert.match(pr.body, '| Review after fixes | **PASS**: All good. |')
    const shown = /\| Cost \| \$([0-9.]+) \|/.exec(pr.body)
    assert.ok(shown, pr.body)
    assert.ok(Math.abs(Number(shown![1]) - cost) < 0.001, `cost in the body ${shown![1]} vs the run's ${cost} (before the PR step itself, which costs nothing)`)
    assert.match(pr.body, `| Run | \`${id}\` on branch \`adw/${id}\` |`)
    assert.match(r.stdout, '✔ Pull request — opened PR #1')
  } finally {
    await anthropic.close()
    await gh.close()
    rmDir(repo.root)
  }
})

test.run()
