import {execa} from 'execa'
import {existsSync, mkdirSync, readFileSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

// adw finds its project from any folder inside it, as git and npm do: adw.config.yaml upwards
// (no higher than the git root), else the git root. The database, bare pipeline names and the
// config all resolve there, and a run works in the project root.
const dirs: string[] = []
const project = (files: Record<string, string>) => {
  dirs.push(realpathSync(tmpDir(files)))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

const MINE = 'name: mine\nsteps:\n  - id: where\n    uses: shell\n    with: {run: "pwd"}\n'
const git = (cwd: string, ...args: string[]) => execa('git', args, {cwd, reject: false})

test('in a git repository without adw.config.yaml: run, runs and logs from a subfolder use the root; the database is in an ignored .adw/', async () => {
  const root = project({'pipelines/mine.yaml': MINE, 'src/deep/x.txt': 'x'})
  await git(root, 'init', '-q')
  const sub = join(root, 'pipelines')
  const r = await adw(['run', 'mine', '--adw-id', 'from-sub'], {cwd: sub})
  assert.is(r.exitCode, 0, r.stderr)
  assert.ok(existsSync(join(root, '.adw/orchestrator.db')), 'database at the root, in .adw/')
  assert.is(readFileSync(join(root, '.adw/.gitignore'), 'utf8').split('\n').filter(l => l && !l.startsWith('#')).join(), '*')
  // A file path given from the subfolder leaves no stray database there either.
  const byPath = await adw(['run', 'mine.yaml', '--adw-id', 'by-path'], {cwd: sub})
  assert.is(byPath.exitCode, 0, byPath.stderr)
  assert.not.ok(existsSync(join(sub, 'orchestrator.db')) || existsSync(join(sub, '.adw')), 'nothing written in the subfolder')

  const runs = await adw(['runs', '--json'], {cwd: join(root, 'src/deep')})
  assert.is(runs.exitCode, 0, runs.stderr)
  assert.equal(runs.stdout.split('\n').map(l => JSON.parse(l).adw_id).sort(), ['by-path', 'from-sub'])
  // The step worked in the project root, not in the folder adw was started from.
  const logs = await adw(['logs', '--adw-id', 'from-sub', '--type', 'output', '--json'], {cwd: join(root, 'src')})
  assert.is(logs.exitCode, 0, logs.stderr)
  assert.ok(logs.stdout.split('\n').some(l => JSON.parse(l).message === root), logs.stdout)

  // git status shows the user's files only: the database stays out of it, .gitignore untouched.
  const status = await git(root, 'status', '--porcelain', '--untracked-files=all')
  assert.equal(status.stdout.split('\n').map(l => l.slice(3)).sort(), ['pipelines/mine.yaml', 'src/deep/x.txt'])
})

test('adw.config.yaml in a folder of a repository is the root; its database.path is relative to it', async () => {
  const repo = project({
    'tools/adw.config.yaml': 'project: {name: tools}\ndatabase: {path: data/runs.db}\n',
    'tools/pipelines/mine.yaml': MINE,
    'tools/lib/deeper/.keep': '',
    'pipelines/mine.yaml': 'name: not-this-one\nsteps:\n  - id: a\n    uses: noop\n',
  })
  await git(repo, 'init', '-q')
  const tools = join(repo, 'tools')
  const r = await adw(['run', 'mine', '--adw-id', 'cfg-1', '--json'], {cwd: join(tools, 'lib/deeper')})
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, '"pipeline":"mine"')
  assert.ok(existsSync(join(tools, 'data/runs.db')), 'database.path resolved from adw.config.yaml\'s folder')
  const runs = await adw(['runs', '--json'], {cwd: join(tools, 'pipelines')})
  assert.is(JSON.parse(runs.stdout).adw_id, 'cfg-1')
  // --db and DATABASE_PATH stay relative to where adw was started, as any path on a command line.
  const flag = await adw(['runs', '--db', 'data/runs.db', '--json'], {cwd: tools})
  assert.is(JSON.parse(flag.stdout).adw_id, 'cfg-1')
})

test('a project that already has orchestrator.db at its root keeps using it', async () => {
  const root = project({'adw.config.yaml': 'project: {name: old}\n', 'pipelines/mine.yaml': MINE})
  const first = await adw(['run', 'mine', '--adw-id', 'old-1', '--db', 'orchestrator.db', '-q'], {cwd: root})
  assert.is(first.exitCode, 0, first.stderr)
  mkdirSync(join(root, 'sub'))
  const r = await adw(['run', 'mine', '--adw-id', 'old-2', '-q'], {cwd: join(root, 'sub')})
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.ok(existsSync(join(root, '.adw')), 'no .adw/ when orchestrator.db is there')
  const runs = await adw(['runs', '--json'], {cwd: root})
  assert.equal(runs.stdout.split('\n').map(l => JSON.parse(l).adw_id).sort(), ['old-1', 'old-2'])
})

test.run()
