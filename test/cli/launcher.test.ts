import {execa} from 'execa'
import {cpSync, mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, isolatedEnv, rmDir, ROOT, tmpDir as makeDir} from '../helpers/cli.js'

const VERSION = /^adw\/\d+\.\d+\.\d+ \S+ node-v(\d+)\./
const PIPELINE = 'name: one\nsteps:\n  - id: a\n    uses: noop\n'
const dirs: string[] = []
const tmpDir = (files: Record<string, string> = {}) => {
  dirs.push(makeDir(files))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

const run = (file: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(file, args, {cwd, env: {...isolatedEnv(), ...env}, reject: false, stdin: 'ignore'})

test('bin/adw runs on the pinned Node 24 through a symlink, as npm links it into node_modules/.bin', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  mkdirSync(join(dir, 'node_modules/.bin'), {recursive: true})
  symlinkSync(ADW, join(dir, 'node_modules/.bin/adw'))
  const v = await run(join(dir, 'node_modules/.bin/adw'), ['--version'], dir)
  assert.is(v.exitCode, 0, v.stderr)
  assert.ok(Number(VERSION.exec(v.stdout)?.[1]) >= 24, v.stdout)
  // node:sqlite is there: a run records to a database.
  const r = await run(join(dir, 'node_modules/.bin/adw'), ['run', 'p.yaml', '--db', 'adw.db', '--quiet'], dir)
  assert.is(r.exitCode, 0, r.stderr)
})

test('bin/adw found on PATH, or given as a relative path, from another directory', async () => {
  const dir = tmpDir()
  const onPath = await run('adw', ['--version'], dir, {PATH: `${join(ROOT, 'bin')}:${process.env.PATH}`})
  assert.is(onPath.exitCode, 0, onPath.stderr)
  assert.match(onPath.stdout, VERSION)
  const relative = await run('sh', ['adw', '--version'], join(ROOT, 'bin'))
  assert.is(relative.exitCode, 0, relative.stderr)
  assert.match(relative.stdout, VERSION)
})

test('a package that was never built says to run npm run build (exit 2, no stack trace)', async () => {
  const pkg = tmpDir()
  for (const f of ['bin', 'package.json', 'pipelines']) cpSync(join(ROOT, f), join(pkg, f), {recursive: true})
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
  const r = await run(join(pkg, 'bin/adw'), ['--version'], pkg)
  assert.is(r.exitCode, 2)
  assert.is(r.stdout, '')
  assert.match(r.stderr, 'adw is not built: run `npm run build`')
  assert.not.match(r.stderr, /\n\s+at /)
})

test.run()
