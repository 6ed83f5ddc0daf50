import {execa} from 'execa'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {delimiter, dirname, join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {isolatedEnv, rmDir, ROOT, tmpDir} from '../helpers/cli.js'

// Installing adw as a user would, from the packed tarball (what the registry would serve), into another
// project and globally, on the machine's own node (Node 20 here) and on Node 24. npm installs from its
// cache when it can (--prefer-offline); the registry is only asked for what the cache lacks.
const work = tmpDir({}, 'adw-install-')
test.after(() => rmDir(work))

// PATH as a user's shell has it: without the node_modules/.bin folders that npm test put first.
const systemPath = (process.env.PATH ?? '').split(delimiter).filter(p => !p.includes('node_modules')).join(delimiter)
const node24Path = `${dirname(process.execPath)}${delimiter}${systemPath}`
const HELLO = 'name: hello\nsteps:\n  - id: greet\n    uses: shell\n    with: {run: "echo hello from the installed adw"}\n'

const sh = (file: string, args: string[], cwd: string, PATH: string) =>
  execa(file, args, {cwd, reject: false, stdin: 'ignore', timeout: 240_000, env: {...isolatedEnv(), PATH, npm_config_update_notifier: 'false'}})

let tarball = ''
test.before(async () => {
  // --ignore-scripts: dist/ is already built by npm test; `prepare` would rebuild it under the other tests.
  const p = await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT, node24Path)
  assert.is(p.exitCode, 0, p.stderr)
  tarball = join(work, readdirSync(work).find(f => f.endsWith('.tgz'))!)
})

const npmInstall = (args: string[], cwd: string, PATH: string) => sh('npm', ['install', ...args, '--prefer-offline', '--no-audit', '--no-fund'], cwd, PATH)

test('npm install <tarball> into a project on the system node: npx adw scaffolds and runs a pipeline', async () => {
  const systemNode = await sh('node', ['-p', 'process.versions.node'], work, systemPath)
  const proj = join(work, 'project')
  mkdirSync(proj)
  writeFileSync(join(proj, 'package.json'), '{"name": "my-project", "version": "1.0.0", "private": true}\n')
  const i = await npmInstall([tarball], proj, systemPath)
  assert.is(i.exitCode, 0, i.stderr)
  // adw brings its own Node (the `node` dependency), hoisted beside it.
  assert.ok(existsSync(join(proj, 'node_modules/node/bin/node')), 'node_modules/node/bin/node')

  const v = await sh('npx', ['adw', '--version'], proj, systemPath)
  assert.is(v.exitCode, 0, v.stderr)
  assert.match(v.stdout, /^adw\/\d+\.\d+\.\d+ \S+ node-v24\./)
  // The system node's version does not matter to npx adw: no EBADENGINE noise at each run.
  assert.not.match(v.stderr, 'EBADENGINE', `system node ${systemNode.stdout}`)

  const s = await sh('npx', ['adw', 'scaffold', '.'], proj, systemPath)
  assert.is(s.exitCode, 0, s.stderr)
  assert.ok(existsSync(join(proj, 'adw.config.yaml')))
  writeFileSync(join(proj, 'pipelines/hello.yaml'), HELLO)
  const r = await sh('npx', ['adw', 'run', 'hello', '--adw-id', 'inst-1', '--verbose'], proj, systemPath)
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, '› hello from the installed adw')
  const logs = await sh(join(proj, 'node_modules/.bin/adw'), ['logs', '--adw-id', 'inst-1'], proj, systemPath)
  assert.is(logs.exitCode, 0, logs.stderr)
  assert.match(logs.stdout, 'hello from the installed adw')
})

test('npm install -g <tarball> on Node 24: adw on PATH works from any folder', async () => {
  const prefix = join(work, 'global')
  const i = await npmInstall(['-g', '--prefix', prefix, tarball], work, node24Path)
  assert.is(i.exitCode, 0, i.stderr)
  const elsewhere = join(work, 'elsewhere')
  mkdirSync(join(elsewhere, 'pipelines'), {recursive: true})
  writeFileSync(join(elsewhere, 'pipelines/hello.yaml'), HELLO)
  // A user's PATH: the global bin folder and the system node (whatever its version).
  const PATH = `${join(prefix, 'bin')}${delimiter}${systemPath}`
  const r = await sh('adw', ['run', 'hello', '--adw-id', 'glob-1'], elsewhere, PATH)
  assert.is(r.exitCode, 0, r.stderr)
  const logs = await sh('adw', ['logs', '--adw-id', 'glob-1'], elsewhere, PATH)
  assert.match(logs.stdout, 'hello from the installed adw')
})

test('bin/run.js on a node older than 22.13 says what to do (exit 2, no stack trace)', async () => {
  const v = await sh('node', ['-p', 'process.versions.node'], work, systemPath)
  const [major, minor] = v.stdout.split('.').map(Number)
  const r = await sh('node', [join(ROOT, 'bin/run.js'), '--version'], work, systemPath)
  if (major < 22 || (major === 22 && minor < 13)) {
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, `adw needs Node >= 22.13 (for node:sqlite); this is Node ${v.stdout}`)
    assert.match(r.stderr, 'Try: reinstall adw with npm')
    assert.not.match(r.stderr, /\n\s+at /)
  } else {
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /^adw\//)
  }
})

test.run()
