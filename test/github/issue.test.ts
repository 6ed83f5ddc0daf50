import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {startFakeGitHub} from '../helpers/fake-github.js'
import {testRepo} from '../helpers/git-repo.js'

const dbOf = (dir: string) => join(dir, '.adw', 'orchestrator.db')
const TRIAGE = `name: triage
inputs:
  prompt: {type: string, required: true}
  issue: {type: string}
steps:
  - id: show
    uses: shell
    with:
      run: |
        printf '%s\\n' {{inputs.prompt}}
        echo "issue={{inputs.issue.number}} title={{inputs.issue.title}} url={{inputs.issue.url}}"
`
const ISSUES = {7: {title: 'Login fails with $(whoami) in the password', body: 'Steps:\n1. type `pa$$`\n2. boom', labels: ['bug']}}

test('adw run --issue <n>: the prompt is the issue\'s title and body, and the input issue holds number, title, url; a URL works too', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/triage.yaml': TRIAGE})
  const gh = await startFakeGitHub({issues: ISSUES})
  const env = {GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GH_TOKEN: '', GITHUB_REPOSITORY: 'acme/app'}
  try {
    const r = await adw(['run', 'triage', '--issue', '7', '--adw-id', 'i7'], {cwd: repo.dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const [step] = rows(dbOf(repo.dir), "SELECT outputs FROM steps WHERE step_id = 'show'")
    const stdout = JSON.parse(step.outputs).stdout
    assert.is(stdout, 'Login fails with $(whoami) in the password\n\nSteps:\n1. type `pa$$`\n2. boom\n\n(GitHub issue #7: https://github.example/acme/app/issues/7)\nissue=7 title=Login fails with $(whoami) in the password url=https://github.example/acme/app/issues/7')
    const inputs = JSON.parse(rows(dbOf(repo.dir), "SELECT inputs FROM runs WHERE adw_id = 'i7'")[0].inputs)
    assert.equal(inputs.issue, {number: 7, title: ISSUES[7].title, body: ISSUES[7].body, url: 'https://github.example/acme/app/issues/7', repo: 'acme/app', labels: ['bug']})
    assert.equal(gh.requests.map(q => `${q.method} ${q.path}`), ['GET /repos/acme/app/issues/7'])
    assert.is(gh.comments.length, 0, 'no comments unless github.comments: true')

    const byUrl = await adw(['run', 'triage', '--issue', 'https://github.example/acme/app/issues/7', '--adw-id', 'i7b'], {cwd: repo.dir, env: {...env, GITHUB_REPOSITORY: ''}})
    assert.is(byUrl.exitCode, 0, byUrl.stderr + byUrl.stdout)
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('--issue refusals are exit 2 before anything runs: an unknown issue, a bad token, something that is not an issue, a pipeline without prompt or issue inputs', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/triage.yaml': TRIAGE, 'pipelines/plain.yaml': 'name: plain\nsteps:\n  - id: a\n    uses: noop\n'})
  const gh = await startFakeGitHub({issues: ISSUES})
  const env = {GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GH_TOKEN: '', GITHUB_REPOSITORY: 'acme/app'}
  try {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['triage', '--issue', '99'], env, 'Error: Cannot read --issue 99: GitHub answered 404 while reading issue #99 of acme/app'],
      [['triage', '--issue', '7'], {...env, GITHUB_TOKEN: 'ghp_bad_bad_bad_bad'}, 'Error: Cannot read --issue 7: GitHub refused the token while reading issue #7 of acme/app (401 Bad credentials)'],
      [['triage', '--issue', 'seven'], env, 'Error: --issue "seven" is not an issue: give its number (12), owner/name#12, or its URL'],
      [['plain', '--issue', '7'], env, 'Error: --issue fills the inputs prompt and issue, and pipeline "plain" declares neither'],
    ]
    for (const [args, e, message] of cases) {
      const r = await adw(['run', ...args], {cwd: repo.dir, env: e})
      assert.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
    }
    const noRepo = await adw(['run', 'triage', '--issue', '7'], {cwd: repo.dir, env: {...env, GITHUB_REPOSITORY: ''}})
    assert.is(noRepo.exitCode, 2)
    assert.match(noRepo.stderr, /cannot tell which GitHub repository to use: remote origin \(.*origin\.git\) is not a GitHub URL; set repo: owner\/name in the step's with:, or GITHUB_REPOSITORY=owner\/name/)
    assert.not.ok(existsSync(dbOf(repo.dir)), 'nothing was recorded')
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test('github.comments: true in adw.config.yaml: the issue gets a comment when the run starts and one when it ends', async () => {
  const repo = testRepo({'README.md': '# app\n', 'adw.config.yaml': 'github: {comments: true}\n', 'pipelines/triage.yaml': TRIAGE})
  const gh = await startFakeGitHub({issues: ISSUES})
  try {
    const r = await adw(['run', 'triage', '--issue', 'acme/app#7', '--adw-id', 'c7', '--worktree'], {cwd: repo.dir, env: {GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GH_TOKEN: ''}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(gh.comments.map(c => c.issue), [7, 7])
    assert.is(gh.comments[0].body, 'adw run `c7` started: pipeline triage on branch adw/c7.')
    assert.match(gh.comments[1].body, /^adw run `c7` succeeded in \d+ s, cost \$0\.0000\.$/)
  } finally {
    await gh.close()
    rmDir(repo.root)
  }
})

test.run()
