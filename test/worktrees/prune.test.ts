import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {adw, ADW, isolatedEnv, rmDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until} from '../helpers/deadline.js'
import {testRepo} from '../helpers/git-repo.js'

const dbOf = (dir: string) => join(dir, '.adw', 'orchestrator.db')
const wt = (dir: string, id: string) => join(dir, '.adw', 'worktrees', id)
const branches = (repo: ReturnType<typeof testRepo>) => repo.git(['branch', '--list', 'adw/*', '--format=%(refname:short)']).split('\n').filter(Boolean).sort()

/** clean: does nothing to files; dirty: leaves an untracked file; commit: commits one (not pushed). */
const PIPELINES = {
  'pipelines/clean.yaml': 'name: clean\nsteps:\n  - id: look\n    uses: shell\n    with: {run: git status --short}\n',
  'pipelines/dirty.yaml': 'name: dirty\nsteps:\n  - id: scribble\n    uses: shell\n    with: {run: echo notes > notes.txt}\n',
  'pipelines/commit.yaml': 'name: commit\nsteps:\n  - id: commit\n    uses: shell\n    with: {run: "echo x > f.txt && git add f.txt && git -c user.name=T -c user.email=t@example.com commit -qm work"}\n',
}

test('prune removes the worktrees of finished runs holding nothing unsaved (and their branches), keeps the others until --force; --dry-run removes nothing', async () => {
  const repo = testRepo({'README.md': '# app\n', ...PIPELINES})
  try {
    for (const [p, id] of [['clean', 'p-clean'], ['dirty', 'p-dirty'], ['commit', 'p-commit']]) {
      const r = await adw(['run', p, '--worktree', '--adw-id', id], {cwd: repo.dir})
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
    }
    const list = await adw(['worktrees'], {cwd: repo.dir})
    assert.match(list.stdout, /ADW_ID\s+BRANCH\s+RUN\s+HOLDS\s+CREATED\s+PATH/)
    assert.match(list.stdout, /p-clean\s+adw\/p-clean\s+succeeded\s+clean\s+/)
    assert.match(list.stdout, /p-dirty\s+adw\/p-dirty\s+succeeded\s+1 uncommitted\s+/)
    assert.match(list.stdout, /p-commit\s+adw\/p-commit\s+succeeded\s+1 unpushed\s+.*\.adw\/worktrees\/p-commit/)

    const dry = await adw(['worktrees', 'prune', '--dry-run'], {cwd: repo.dir})
    assert.is(dry.exitCode, 0, dry.stderr)
    assert.match(dry.stdout, /p-clean\s+adw\/p-clean\s+succeeded\s+would remove\s+clean; branch adw\/p-clean deleted/)
    assert.match(dry.stdout, /p-dirty\s+adw\/p-dirty\s+succeeded\s+kept\s+holds 1 uncommitted: commit and push it, or --force/)
    assert.match(dry.stdout, 'Nothing was removed (--dry-run).')
    assert.ok(existsSync(wt(repo.dir, 'p-clean')), 'dry run: still there')

    const prune = await adw(['worktrees', 'prune'], {cwd: repo.dir})
    assert.is(prune.exitCode, 0, prune.stderr)
    assert.match(prune.stdout, /p-clean\s+adw\/p-clean\s+succeeded\s+removed\s+clean; branch adw\/p-clean deleted/)
    assert.match(prune.stdout, 'Removed 1 worktree; kept 2 (--force removes those holding unsaved work).')
    assert.not.ok(existsSync(wt(repo.dir, 'p-clean')))
    assert.equal(branches(repo), ['adw/p-commit', 'adw/p-dirty'])
    assert.ok(rows(dbOf(repo.dir), "SELECT removed_at FROM worktrees WHERE adw_id = 'p-clean'")[0].removed_at)

    const force = await adw(['worktrees', 'prune', '--force', '--json'], {cwd: repo.dir})
    const entries = force.stdout.split('\n').map(l => JSON.parse(l))
    assert.equal(entries.map(e => `${e.adwId}:${e.action}`).sort(), ['p-commit:removed', 'p-dirty:removed'])
    assert.match(entries.find(e => e.adwId === 'p-dirty').note, '1 uncommitted change discarded; branch adw/p-dirty deleted')
    assert.match(entries.find(e => e.adwId === 'p-commit').note, 'branch adw/p-commit kept (1 unpushed commit)')
    assert.equal(branches(repo), ['adw/p-commit'], 'the unpushed commit survives on its branch')
    assert.is(repo.git(['worktree', 'list']).split('\n').length, 1, 'git knows no worktree but the checkout')
    assert.is((await adw(['worktrees'], {cwd: repo.dir})).stdout, 'No run worktrees. Start a run in one with: adw run <pipeline> --worktree')
  } finally {
    rmDir(repo.root)
  }
})

test('kill -9 mid-run: the worktree is not held forever — it shows interrupted, resume reuses it, prune --force removes it; a live run is never pruned', async () => {
  const block = 'if [ ! -e ready ]; then sleep 60 & echo $! > sleep.pid; touch ready; wait; fi; echo done >> done.txt'
  const repo = testRepo({'README.md': '# app\n', 'pipelines/block.yaml': `name: block\nsteps:\n  - id: first\n    uses: shell\n    with: {run: echo one >> first.txt}\n  - id: wait\n    uses: shell\n    with: {run: "${block}"}\n`})
  const path = wt(repo.dir, 'k9')
  try {
    const sub = execa(ADW, ['run', 'block', '--worktree', '--adw-id', 'k9'], {cwd: repo.dir, env: isolatedEnv(), reject: false, stdin: 'ignore', detached: true, timeout: 60_000})
    await until(() => existsSync(join(path, 'ready')), 'the step to block in the worktree', 30_000)

    const live = await adw(['worktrees', 'prune', '--force'], {cwd: repo.dir})
    assert.match(live.stdout, /k9\s+adw\/k9\s+running\s+kept\s+in use: the run is running/)
    assert.ok(existsSync(path), 'a live run keeps its worktree, even with --force')

    process.kill(sub.pid!, 'SIGKILL')
    await sub
    process.kill(Number(readFileSync(join(path, 'sleep.pid'), 'utf8')), 'SIGKILL')
    const list = await adw(['worktrees'], {cwd: repo.dir})
    assert.match(list.stdout, /k9\s+adw\/k9\s+interrupted\s+3 uncommitted/)
    const kept = await adw(['worktrees', 'prune'], {cwd: repo.dir})
    assert.match(kept.stdout, /k9\s+adw\/k9\s+interrupted\s+kept\s+holds 3 uncommitted/)

    const resumed = await adw(['run', '--resume', '--adw-id', 'k9'], {cwd: repo.dir})
    assert.is(resumed.exitCode, 0, resumed.stderr + resumed.stdout)
    assert.is(readFileSync(join(path, 'first.txt'), 'utf8'), 'one\n', 'the same worktree: the first step did not run again')
    assert.is(readFileSync(join(path, 'done.txt'), 'utf8'), 'done\n')
    assert.not.ok(existsSync(join(repo.dir, 'done.txt')))

    const force = await adw(['worktrees', 'prune', '--force'], {cwd: repo.dir})
    assert.match(force.stdout, /k9\s+adw\/k9\s+succeeded\s+removed\s+4 uncommitted changes discarded; branch adw\/k9 deleted/)
    assert.not.ok(existsSync(path))
  } finally {
    rmDir(repo.root)
  }
})

test('a pruned run resumes: its worktree is re-created from its branch', async () => {
  const repo = testRepo({'README.md': '# app\n'})
  const allow = join(repo.root, 'allow')
  writeFileSync(join(repo.dir, 'flaky.yaml'), `name: flaky\nsteps:\n  - id: one\n    uses: shell\n    with: {run: "git -c user.name=T -c user.email=t@example.com commit -q --allow-empty -m step-one"}\n  - id: two\n    uses: shell\n    with: {run: test -e ${allow}}\n`)
  try {
    const failed = await adw(['run', 'flaky.yaml', '--worktree', '--adw-id', 'f1'], {cwd: repo.dir})
    assert.is(failed.exitCode, 1, failed.stderr + failed.stdout)
    // Its one commit is pushed, so the worktree holds nothing unsaved; prune takes it and its local branch.
    repo.git(['push', '--quiet', 'origin', 'adw/f1'], wt(repo.dir, 'f1'))
    const prune = await adw(['worktrees', 'prune'], {cwd: repo.dir})
    assert.match(prune.stdout, /f1\s+adw\/f1\s+failed\s+removed\s+clean; branch adw\/f1 deleted/)
    assert.not.ok(existsSync(wt(repo.dir, 'f1')))

    writeFileSync(allow, '')
    const r = await adw(['run', '--resume', '--adw-id', 'f1'], {cwd: repo.dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(r.stderr, /Re-created the worktree .*\.adw\/worktrees\/f1 on a new branch adw\/f1 at [0-9a-f]{12} \(the old branch was deleted\)/)
    assert.is(repo.git(['rev-parse', '--abbrev-ref', 'HEAD'], wt(repo.dir, 'f1')), 'adw/f1')
    assert.is(rows(dbOf(repo.dir), "SELECT removed_at FROM worktrees WHERE adw_id = 'f1'")[0].removed_at, null, 'listed again')
    assert.match((await adw(['worktrees'], {cwd: repo.dir})).stdout, /f1\s+adw\/f1\s+succeeded\s+clean/)
  } finally {
    rmDir(repo.root)
  }
})

test.run()
