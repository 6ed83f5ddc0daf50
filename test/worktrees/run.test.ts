import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {testRepo} from '../helpers/git-repo.js'

/** Writes out.txt (the same name in every run) with the run's id, and reports what it sees. */
const WRITER = `name: writer
steps:
  - id: write
    uses: shell
    with:
      run: |
        echo "$ADW_ID" > out.txt
        pwd
        ls -a
`

const dbOf = (dir: string) => join(dir, '.adw', 'orchestrator.db')

test('--worktree: the steps work in .adw/worktrees/<id> on branch adw/<id>; the checkout is untouched, .env is not copied, the run records repo, base, branch and path', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/writer.yaml': WRITER}, {'.env': 'APP_SECRET_TOKEN=s3cr3t-value-42\n'})
  try {
    const head = repo.git(['rev-parse', 'HEAD'])
    const r = await adw(['run', 'writer', '--worktree', '--adw-id', 'wt-1'], {cwd: repo.dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const path = join(realpathSync(repo.dir), '.adw', 'worktrees', 'wt-1')
    assert.match(r.stderr, `worktree: ${path} (branch adw/wt-1 from HEAD ${head.slice(0, 7)})`)
    assert.is(readFileSync(join(path, 'out.txt'), 'utf8'), 'wt-1\n', 'the step wrote into the worktree')
    assert.not.ok(existsSync(join(repo.dir, 'out.txt')), 'the checkout got nothing')
    assert.not.ok(existsSync(join(path, '.env')), 'the untracked .env is not in the worktree')
    assert.is(readFileSync(join(path, 'README.md'), 'utf8'), '# app\n', 'tracked files are')
    assert.is(repo.git(['rev-parse', '--abbrev-ref', 'HEAD'], path), 'adw/wt-1')
    assert.is(repo.git(['status', '--porcelain']), '?? .env', 'git status of the checkout shows neither .adw/ nor the worktree')

    const [w] = rows(dbOf(repo.dir), 'SELECT * FROM worktrees')
    assert.equal({repo: w.repo, base_ref: w.base_ref, base_commit: w.base_commit, branch: w.branch, path: w.path, removed_at: w.removed_at}, {repo: realpathSync(repo.dir), base_ref: 'HEAD', base_commit: head, branch: 'adw/wt-1', path, removed_at: null})
    assert.is(rows(dbOf(repo.dir), 'SELECT working_dir FROM runs')[0].working_dir, path)

    const runs = await adw(['runs'], {cwd: repo.dir})
    assert.match(runs.stdout, /ADW_ID\s+PIPELINE\s+BRANCH\s+STATUS/)
    assert.match(runs.stdout, /wt-1\s+writer\s+adw\/wt-1\s+succeeded/)
    const json = JSON.parse((await adw(['runs', '--json'], {cwd: repo.dir})).stdout)
    assert.is(json.branch, 'adw/wt-1')
    const show = await adw(['runs', 'show', 'wt-1'], {cwd: repo.dir})
    assert.match(show.stdout, `Working dir: ${path}`)
    assert.match(show.stdout, `Branch: adw/wt-1 (worktree from HEAD ${head.slice(0, 7)} in ${realpathSync(repo.dir)})`)
    const shown = JSON.parse((await adw(['runs', 'show', 'wt-1', '--json'], {cwd: repo.dir})).stdout)
    assert.equal([shown.run.worktree.branch, shown.run.worktree.base_commit], ['adw/wt-1', head])
  } finally {
    rmDir(repo.root)
  }
})

test('4 runs at once on one repository, each writing out.txt: each worktree holds its own run id, the checkout none', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/writer.yaml': WRITER})
  try {
    const ids = ['c1', 'c2', 'c3', 'c4']
    const results = await Promise.all(ids.map(id => adw(['run', 'writer', '--worktree', '--adw-id', id], {cwd: repo.dir})))
    for (const [i, r] of results.entries()) assert.is(r.exitCode, 0, `${ids[i]}: ${r.stderr}${r.stdout}`)
    for (const id of ids) {
      const path = join(repo.dir, '.adw', 'worktrees', id)
      assert.is(readFileSync(join(path, 'out.txt'), 'utf8'), `${id}\n`)
      assert.is(repo.git(['rev-parse', '--abbrev-ref', 'HEAD'], path), `adw/${id}`)
    }
    assert.not.ok(existsSync(join(repo.dir, 'out.txt')))
    assert.equal(repo.git(['branch', '--list', 'adw/*', '--format=%(refname:short)']).split('\n').sort(), ids.map(id => `adw/${id}`))
    assert.equal(rows(dbOf(repo.dir), "SELECT adw_id, status FROM runs ORDER BY adw_id").map(r => `${r.adw_id}:${r.status}`), ids.map(id => `${id}:succeeded`))
    const list = await adw(['worktrees', '--json'], {cwd: repo.dir})
    const views = list.stdout.split('\n').map(l => JSON.parse(l))
    assert.equal(views.map(v => v.adwId).sort(), ids)
    for (const v of views) assert.equal([v.run, v.state.changes, v.state.unpushed], ['succeeded', 1, 0], 'out.txt is an uncommitted change; nothing committed')
  } finally {
    rmDir(repo.root)
  }
})

test('--base and --branch; a subfolder working dir maps to the same subfolder of the worktree', async () => {
  const repo = testRepo({'README.md': 'v1\n', 'pkg/api/index.js': '//\n', 'pipelines/writer.yaml': WRITER})
  try {
    const v1 = repo.git(['rev-parse', 'HEAD'])
    repo.git(['tag', 'v1'])
    repo.git(['commit', '--quiet', '--allow-empty', '-m', 'second'])
    const r = await adw(['run', 'writer', '--worktree', '--base', 'v1', '--branch', 'feature/login', '--adw-id', 'b1', '-w', 'pkg/api'], {cwd: repo.dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const path = join(realpathSync(repo.dir), '.adw', 'worktrees', 'b1')
    assert.is(repo.git(['rev-parse', 'HEAD'], path), v1, 'the branch starts at --base')
    assert.is(repo.git(['rev-parse', '--abbrev-ref', 'HEAD'], path), 'feature/login')
    assert.ok(existsSync(join(path, 'pkg/api/out.txt')), 'the step worked in pkg/api of the worktree')
    assert.is(rows(dbOf(repo.dir), 'SELECT working_dir FROM runs')[0].working_dir, join(path, 'pkg/api'))
  } finally {
    rmDir(repo.root)
  }
})

test('refusals are exit 2 with a clear message, and nothing is created: not a git repository, unknown --base, bad or taken --branch, --base without --worktree', async () => {
  const plain = tmpDir({'pipelines/writer.yaml': WRITER})
  const repo = testRepo({'README.md': '# app\n', 'pipelines/writer.yaml': WRITER})
  try {
    const notGit = await adw(['run', 'writer', '--worktree'], {cwd: plain})
    assert.is(notGit.exitCode, 2)
    assert.match(notGit.stderr, `Error: --worktree needs a git repository, and the working directory ${plain} is not inside one`)
    assert.match(notGit.stderr, 'Try: or run without --worktree')
    assert.not.match(notGit.stderr, /at .*\.js:\d+/, 'no stack trace')
    assert.not.ok(existsSync(join(plain, '.adw')), 'no database, no worktree folder')

    const cases: Array<[string[], RegExp]> = [
      [['--worktree', '--base', 'nope'], /Error: --base nope: no such commit, branch or tag in /],
      [['--worktree', '--branch', 'bad..name'], /Error: --branch "bad\.\.name" is not a valid git branch name/],
      [['--worktree', '--branch', 'main'], /Error: Branch main already exists in .*; a run's worktree starts on a new branch/],
      [['--base', 'main'], /Error: --base names the branch of a run's worktree; it needs --worktree/],
    ]
    for (const [flags, message] of cases) {
      const r = await adw(['run', 'writer', ...flags], {cwd: repo.dir})
      assert.is(r.exitCode, 2, `${flags.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
    }
    assert.not.ok(existsSync(join(repo.dir, '.adw', 'worktrees')), 'no worktree was made')
    assert.is(repo.git(['worktree', 'list']).split('\n').length, 1)
  } finally {
    rmDir(plain)
    rmDir(repo.root)
  }
})

test('isolation: worktree in the pipeline or adw.config.yaml makes every run use a worktree; --no-worktree works in place', async () => {
  const repo = testRepo({'README.md': '# app\n', 'pipelines/iso.yaml': WRITER.replace('name: writer', 'name: iso\nisolation: worktree'), 'pipelines/writer.yaml': WRITER})
  try {
    const a = await adw(['run', 'iso', '--adw-id', 'i1'], {cwd: repo.dir})
    assert.is(a.exitCode, 0, a.stderr)
    assert.ok(existsSync(join(repo.dir, '.adw/worktrees/i1/out.txt')))
    const b = await adw(['run', 'iso', '--adw-id', 'i2', '--no-worktree'], {cwd: repo.dir})
    assert.is(b.exitCode, 0, b.stderr)
    assert.is(readFileSync(join(repo.dir, 'out.txt'), 'utf8'), 'i2\n', '--no-worktree: in the checkout')
    assert.not.ok(existsSync(join(repo.dir, '.adw/worktrees/i2')))

    const cfg = testRepo({'adw.config.yaml': 'isolation: worktree\n', 'pipelines/writer.yaml': WRITER})
    try {
      const c = await adw(['run', 'writer', '--adw-id', 'k1'], {cwd: cfg.dir})
      assert.is(c.exitCode, 0, c.stderr)
      assert.ok(existsSync(join(cfg.dir, '.adw/worktrees/k1/out.txt')))
      const bad = testRepo({'adw.config.yaml': 'isolation: sometimes\n', 'pipelines/writer.yaml': WRITER})
      const d = await adw(['run', 'writer'], {cwd: bad.dir})
      assert.is(d.exitCode, 2)
      assert.match(d.stderr, /adw\.config\.yaml:1:12: isolation must be "worktree" \(each run in its own git worktree and branch\) or "none"/)
      rmDir(bad.root)
    } finally {
      rmDir(cfg.root)
    }
  } finally {
    rmDir(repo.root)
  }
})

test('in a worktree, a sandboxed command cannot rewrite the .git file (it would point later git commands at hooks of its own)', async () => {
  const pipeline = `name: evil
steps:
  - id: redirect
    uses: shell
    continueOnError: true
    with:
      sandbox: true
      run: |
        mkdir -p evil/hooks && echo 'gitdir: evil' > .git
  - id: after
    uses: shell
    with: {run: cat .git}
`
  const repo = testRepo({'README.md': '# app\n', 'pipelines/evil.yaml': pipeline})
  try {
    const r = await adw(['run', 'evil', '--worktree', '--adw-id', 'e1', '--json'], {cwd: repo.dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const path = join(repo.dir, '.adw', 'worktrees', 'e1')
    assert.match(readFileSync(join(path, '.git'), 'utf8'), /^gitdir: .*\/\.git\/worktrees\/e1\n$/)
    const [step] = rows(dbOf(repo.dir), "SELECT status, error FROM steps WHERE step_id = 'redirect'")
    assert.is(step.status, 'failed')
    assert.match(step.error, /Read-only file system/)
  } finally {
    rmDir(repo.root)
  }
})

test.run()
