import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {adw, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {gitSync, testRepo} from '../helpers/git-repo.js'

const dbOf = (dir: string) => join(dir, '.adw', 'orchestrator.db')
const outputs = (dir: string, step: string) => JSON.parse(rows(dbOf(dir), `SELECT outputs FROM steps WHERE step_id = '${step}' ORDER BY id DESC LIMIT 1`)[0].outputs)

/** A step changes files (and writes a .env), then `uses: git` commits them with a message from a step's output and pushes. */
const DELIVER = `name: deliver
steps:
  - id: change
    uses: shell
    with:
      run: |
        echo hello > feature.txt
        mkdir -p src && echo 'x' > src/a.js
        echo 'APP_TOKEN=tok-should-never-be-committed' > .env
        echo 'SECRET=1' > src/.env
        echo "Add the feature"
  - id: commit
    uses: git
    with:
      commit: "{{steps.change.outputs.stdout}} ({{run.adwId}})"
      push: true
`

test('uses: git commits what the run changed (never .env files) with a templated message and pushes the branch to the remote', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/deliver.yaml': DELIVER})
  try {
    const r = await adw(['run', 'deliver', '--worktree', '--adw-id', 'g1'], {cwd: repo.dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /✔ commit — committed [0-9a-f]{7} \(2 files\), pushed adw\/g1 to origin/)
    const out = outputs(repo.dir, 'commit')
    assert.equal({committed: out.committed, branch: out.branch, files: out.files, pushed: out.pushed, remote: out.remote}, {committed: true, branch: 'adw/g1', files: ['feature.txt', 'src/a.js'], pushed: true, remote: 'origin'})
    // The bare remote has the branch at that commit, with the message, and no .env.
    assert.is(gitSync(repo.remote, ['rev-parse', 'refs/heads/adw/g1']), out.sha)
    assert.is(gitSync(repo.remote, ['log', '-1', '--format=%s', 'adw/g1']), 'Add the feature (g1)')
    assert.equal(gitSync(repo.remote, ['ls-tree', '-r', '--name-only', 'adw/g1']).split('\n'), ['README.md', 'feature.txt', 'pipelines/deliver.yaml', 'src/a.js'])
    // The worktree's branch tracks the remote one: nothing unpushed.
    const [view] = (await adw(['worktrees', '--json'], {cwd: repo.dir})).stdout.split('\n').map(l => JSON.parse(l))
    assert.equal([view.state.unpushed, view.state.changes], [0, 2], 'the two .env files stay, uncommitted')
  } finally {
    rmDir(repo.root)
  }
})

test('nothing to commit is not an error (committed false); with requireChanges: true it fails the step, saying so', async () => {
  const pipeline = (require: boolean) => `name: nothing\nsteps:\n  - id: commit\n    uses: git\n    with: {commit: "nothing here"${require ? ', requireChanges: true' : ''}}\n`
  const repo = testRepo({'README.md': '# app\n', 'pipelines/lenient.yaml': pipeline(false), 'pipelines/strict.yaml': pipeline(true)})
  try {
    const ok = await adw(['run', 'lenient', '--worktree', '--adw-id', 'n1'], {cwd: repo.dir})
    assert.is(ok.exitCode, 0, ok.stderr + ok.stdout)
    assert.match(ok.stdout, '✔ commit — nothing to commit')
    assert.is(outputs(repo.dir, 'commit').committed, false)
    const strict = await adw(['run', 'strict', '--worktree', '--adw-id', 'n2'], {cwd: repo.dir})
    assert.is(strict.exitCode, 1)
    assert.match(strict.stdout + strict.stderr, 'nothing to commit: the run changed no file (requireChanges: true)')
  } finally {
    rmDir(repo.root)
  }
})

test('a push the remote refuses fails the step with git\'s reason; a working dir that is not a git repository is a clear failure', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/push.yaml': 'name: push\nsteps:\n  - id: change\n    uses: shell\n    with: {run: echo x > x.txt}\n  - id: commit\n    uses: git\n    with: {commit: change, push: true, remote: nowhere}\n'})
  try {
    const r = await adw(['run', 'push', '--worktree', '--adw-id', 'p1'], {cwd: repo.dir})
    assert.is(r.exitCode, 1)
    assert.match(r.stdout + r.stderr, /git push of adw\/p1 to nowhere failed: fatal: 'nowhere' does not appear to be a git repository/)
    assert.is(outputs(repo.dir, 'change').exitCode, 0)
    assert.is(gitSync(join(repo.dir, '.adw/worktrees/p1'), ['log', '-1', '--format=%s']), 'change', 'the commit was made before the push failed')
  } finally {
    rmDir(repo.root)
  }
})

test('adw validate checks a git step\'s options; adw executors lists git and github with their outputs', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/bad.yaml': 'name: bad\nsteps:\n  - id: commit\n    uses: git\n    with: {comit: oops}\n'})
  try {
    const v = await adw(['validate', 'bad'], {cwd: repo.dir})
    assert.is(v.exitCode, 2)
    assert.match(v.stdout + v.stderr, /bad\.yaml:5:12: Unknown option "comit" for git in step "commit": did you mean "commit"\?/)
    const e = await adw(['executors', '--json'], {cwd: repo.dir})
    const list = JSON.parse(e.stdout)
    const names = (Array.isArray(list) ? list : list.executors).map((x: {name: string}) => x.name)
    assert.ok(names.includes('git') && names.includes('github'), names.join(', '))
  } finally {
    rmDir(repo.root)
  }
})

test.run()
