import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir} from '../helpers/cli.js'
import {dbBytes, rows} from '../helpers/db.js'
import {startFakeGitHub, type FakeGitHub} from '../helpers/fake-github.js'
import {gitSync, testRepo, type TestRepo} from '../helpers/git-repo.js'

const dbOf = (dir: string) => join(dir, '.adw', 'orchestrator.db')
const outputs = (dir: string, step: string) => JSON.parse(rows(dbOf(dir), `SELECT outputs FROM steps WHERE step_id = '${step}' ORDER BY id DESC LIMIT 1`)[0].outputs ?? 'null')
const stepError = (dir: string, step: string) => rows(dbOf(dir), `SELECT error FROM steps WHERE step_id = '${step}' ORDER BY id DESC LIMIT 1`)[0].error as string

/** Change, commit and push, then open (or update) the pull request. */
const PR = (repo = 'acme/app', push = true) => `name: pr
steps:
  - id: change
    uses: shell
    with: {run: 'echo "$ADW_ID" >> feature.txt'}
  - id: commit
    uses: git
    with: {commit: "Feature {{run.adwId}}", push: ${push}}
  - id: pr
    uses: github
    with:
      repo: ${repo}
      pullRequest:
        title: "Feature {{run.adwId}}"
        body: "Commit {{steps.commit.outputs.sha}} on {{steps.commit.outputs.branch}}"
`

/** A repo whose remote the fake GitHub consults: a pull request's head must have been pushed. */
async function setup(files: Record<string, string>): Promise<{repo: TestRepo; gh: FakeGitHub; env: Record<string, string>}> {
  const repo = testRepo({'README.md': '# app\n', ...files})
  const gh = await startFakeGitHub({headExists: branch => {
    try {
      gitSync(repo.remote, ['rev-parse', '--verify', `refs/heads/${branch}`])
      return true
    } catch {
      return false
    }
  }})
  return {repo, gh, env: {GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GH_TOKEN: ''}}
}

test('uses: github opens the pull request of the pushed branch through GITHUB_API_URL; outputs number and url; the token goes only in the Authorization header', async () => {
  const {repo, gh, env} = await setup({'pipelines/pr.yaml': PR()})
  try {
    const r = await adw(['run', 'pr', '--worktree', '--adw-id', 'pr-1'], {cwd: repo.dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stdout, '✔ pr — opened PR #1')
    const sha = outputs(repo.dir, 'commit').sha
    assert.equal(gh.pulls.map(p => ({title: p.title, body: p.body, head: p.head, base: p.base, draft: p.draft})), [{title: 'Feature pr-1', body: `Commit ${sha} on adw/pr-1`, head: 'adw/pr-1', base: 'main', draft: false}])
    assert.equal(outputs(repo.dir, 'pr'), {number: 1, url: 'https://github.example/acme/app/pull/1', created: true})
    const create = gh.requests.find(q => q.method === 'POST')!
    assert.is(create.path, '/repos/acme/app/pulls')
    assert.is(create.headers.authorization, `token ${gh.token}`)
    assert.equal(gh.requests.map(q => `${q.method} ${q.path}`), ['GET /repos/acme/app/pulls', 'GET /repos/acme/app', 'POST /repos/acme/app/pulls'])
    assert.is(gh.requests[0].query.head, 'acme:adw/pr-1', 'looked for an open pull request of the branch first')
    assert.not.ok(dbBytes(dbOf(repo.dir)).includes(gh.token), 'the token is not in the database')
    assert.not.ok((r.stdout + r.stderr).includes(gh.token))
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('a branch that already has an open pull request gets it updated, not a second one', async () => {
  const {repo, gh, env} = await setup({'pipelines/pr.yaml': PR()})
  try {
    // Twice in the checkout itself, on one feature branch (the executors work in any pipeline, worktree or not).
    repo.git(['switch', '--quiet', '-c', 'feat/login'])
    const first = await adw(['run', 'pr', '--adw-id', 'u1'], {cwd: repo.dir, env})
    assert.is(first.exitCode, 0, first.stderr + first.stdout)
    const second = await adw(['run', 'pr', '--adw-id', 'u2'], {cwd: repo.dir, env})
    assert.is(second.exitCode, 0, second.stderr + second.stdout)
    assert.match(second.stdout, '✔ pr — updated PR #1')
    assert.is(gh.pulls.length, 1)
    assert.equal([gh.pulls[0].title, gh.pulls[0].head], ['Feature u2', 'feat/login'])
    assert.equal(outputs(repo.dir, 'pr'), {number: 1, url: 'https://github.example/acme/app/pull/1', created: false})
    assert.equal(gh.requests.filter(q => q.method !== 'GET').map(q => `${q.method} ${q.path}`), ['POST /repos/acme/app/pulls', 'PATCH /repos/acme/app/pulls/1'])
    assert.is(readFileSync(join(repo.dir, 'feature.txt'), 'utf8'), 'u1\nu2\n')

    // Another process opened it between our look and our create: GitHub's 422 "already exists" becomes an update.
    gh.failNext(200, []) // the look finds nothing
    const raced = await adw(['run', 'pr', '--adw-id', 'u3'], {cwd: repo.dir, env})
    assert.is(raced.exitCode, 0, raced.stderr + raced.stdout)
    assert.is(gh.pulls.length, 1)
    assert.equal([gh.pulls[0].title, outputs(repo.dir, 'pr').created], ['Feature u3', false])
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('GitHub\'s refusals are clear step failures: 401 bad token, 404 unknown repository, 422 unpushed branch', async () => {
  const {repo, gh, env} = await setup({'pipelines/pr.yaml': PR(), 'pipelines/other.yaml': PR('acme/elsewhere'), 'pipelines/unpushed.yaml': PR('acme/app', false)})
  try {
    const bad = await adw(['run', 'pr', '--worktree', '--adw-id', 'e401'], {cwd: repo.dir, env: {...env, GITHUB_TOKEN: 'ghp_wrong_token_000000'}})
    assert.is(bad.exitCode, 1)
    assert.match(stepError(repo.dir, 'pr'), 'GitHub refused the token while looking for an open pull request of adw/e401 on acme/app (401 Bad credentials): check GITHUB_TOKEN: it may be mistyped, expired or revoked')
    assert.not.match(bad.stdout + bad.stderr, 'ghp_wrong_token_000000')

    const missing = await adw(['run', 'other', '--worktree', '--adw-id', 'e404'], {cwd: repo.dir, env})
    assert.is(missing.exitCode, 1)
    assert.match(stepError(repo.dir, 'pr'), /^GitHub answered 404 while looking for an open pull request of adw\/e404 on acme\/elsewhere: the repository or item does not exist, or the token in GITHUB_TOKEN cannot see it/)

    const unpushed = await adw(['run', 'unpushed', '--worktree', '--adw-id', 'e422'], {cwd: repo.dir, env})
    assert.is(unpushed.exitCode, 1)
    assert.match(stepError(repo.dir, 'pr'), 'GitHub refused creating the pull request of adw/e422 into main on acme/app (422 Validation Failed; head invalid)')
    assert.is(gh.pulls.length, 0)

  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('no token: refused before the run starts (exit 2), naming the variables and the permissions a token needs', async () => {
  const {repo, gh} = await setup({'pipelines/pr.yaml': PR()})
  try {
    const r = await adw(['run', 'pr', '--worktree'], {cwd: repo.dir, env: {GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_API_URL: gh.url}})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'Error: uses: github needs a GitHub token in GITHUB_TOKEN or GH_TOKEN')
    assert.match(r.stderr, '"Pull requests: write"')
    assert.is(gh.requests.length, 0)
    assert.is(repo.git(['worktree', 'list']).split('\n').length, 1, 'no worktree was made')
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('a .env cannot send a GH_TOKEN from the shell to its own GITHUB_API_URL (GH and GITHUB are one service)', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/show.yaml': 'name: show\nsteps:\n  - id: show\n    uses: shell\n    with: {run: \'echo "api=${GITHUB_API_URL:-unset}"\'}\n'})
  writeFileSync(join(repo.dir, '.env'), 'GITHUB_API_URL=http://127.0.0.1:9/evil\n')
  try {
    const r = await adw(['run', 'show', '--adw-id', 'dotenv'], {cwd: repo.dir, env: {GITHUB_TOKEN: '', GH_TOKEN: 'gho_user_token_123456', GITHUB_API_URL: ''}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stderr, /Warning: Ignored GITHUB_API_URL from .*\.env: it would send GH_TOKEN \(set outside this \.env\) to another host/)
    assert.is(outputs(repo.dir, 'show').stdout, 'api=unset')
  } finally {
    rmDir(repo.root)
  }
})

test.run()
