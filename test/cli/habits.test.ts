import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {adw, rmDir, ROOT, tmpDir} from '../helpers/cli.js'
import {newRun} from '../store/fixtures.js'

// The command-line habits of other tools: -h, `help <command>`, positional ids, bare names, one error style.
const dirs: string[] = []
const project = (files: Record<string, string> = {}) => {
  dirs.push(tmpDir(files))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

const OK = 'name: ok\nsteps:\n  - id: hi\n    uses: shell\n    with: {run: "echo hi"}\n'
const BAD = 'name: bad\nsteps:\n  - id: boom\n    uses: shell\n    with: {run: "echo no; exit 3"}\n'

test('-h and adw help <command> show the same help as --help, for every command', async () => {
  for (const cmd of [['run'], ['logs'], ['runs', 'show'], ['validate'], ['pipelines']]) {
    const long = await adw([...cmd, '--help'])
    const short = await adw([...cmd, '-h'])
    const help = await adw(['help', ...cmd])
    assert.is(long.exitCode, 0, long.stderr)
    assert.match(long.stdout, `$ adw ${cmd.join(' ')}`)
    assert.is(short.stdout, long.stdout, `${cmd} -h`)
    assert.is(help.stdout, long.stdout, `help ${cmd}`)
  }
  const all = await adw(['help'])
  for (const c of ['run', 'runs', 'logs', 'validate', 'pipelines', 'scaffold', 'help']) assert.match(all.stdout, new RegExp(`^  ${c} `, 'm'))
})

test("oclif's flag and argument errors, unknown commands: adw's Error:/Try: style, exit 2, no usage dump", async () => {
  const cases: Array<[string[], string, string]> = [
    [['logs', '--nope'], 'Error: Nonexistent flag: --nope', 'Try: adw logs --help'],
    [['runs', '--status', 'bad'], 'Error: Expected --status=bad to be one of: running, succeeded, failed, cancelled, interrupted', 'Try: adw runs --help'],
    [['run', 'x', '--json', '-q'], 'Error: --quiet=true cannot also be provided when using --json', 'Try: adw run --help'],
    [['runs', 'show'], 'Error: Missing 1 required arg: adw-id (The run to show)', 'Try: adw runs show --help'],
    [['valdate'], 'Error: Unknown command "valdate". Did you mean "validate"?', 'Try: adw help  (every command)'],
    [['help', 'nope'], 'Error: Unknown command "nope"', 'Try: adw help  (every command)'],
  ]
  for (const [args, error, hint] of cases) {
    const r = await adw(args)
    assert.is(r.exitCode, 2, args.join(' '))
    assert.is(r.stdout, '', args.join(' '))
    const lines = r.stderr.split('\n')
    assert.ok(lines[0].startsWith(error), `${args.join(' ')}: ${r.stderr}`)
    assert.ok(lines.includes(hint), `${args.join(' ')}: ${r.stderr}`)
    assert.not.match(r.stderr, /›|USAGE/)
  }
})

test('flag descriptions start with a capital; -f means --follow and nothing else', async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {char?: string; description?: string}>; args: Record<string, {description?: string}>}>}
  const ours = Object.entries(manifest.commands).filter(([id]) => !id.startsWith('plugins'))
  assert.ok(ours.length >= 9)
  for (const [id, cmd] of ours) {
    for (const [name, f] of [...Object.entries(cmd.flags), ...Object.entries(cmd.args)]) {
      if (f.description) assert.ok(/^[A-Z]/.test(f.description), `${id} ${name}: "${f.description}"`)
      if ('char' in f && f.char === 'f') assert.equal([id, name], ['logs', 'follow'])
    }
  }
})

test('adw logs <id>, adw logs alone (the latest run), and a cancelled run ends without "cancelled: cancelled"', async () => {
  const dir = project({'pipelines/ok.yaml': OK})
  for (const id of ['first', 'second']) assert.is((await adw(['run', 'ok', '--adw-id', id, '-q'], {cwd: dir})).exitCode, 0)
  const byArg = await adw(['logs', 'first'], {cwd: dir})
  assert.is(byArg.exitCode, 0, byArg.stderr)
  assert.match(byArg.stdout, 'Run started: ok')
  assert.equal(byArg.stdout, (await adw(['logs', '--adw-id', 'first'], {cwd: dir})).stdout)
  const latest = await adw(['logs', '--json'], {cwd: dir})
  assert.is(latest.exitCode, 0, latest.stderr)
  assert.ok(latest.stdout.split('\n').every(l => JSON.parse(l).adw_id === 'second'))
  assert.match(latest.stderr, 'Latest run: second')
  const both = await adw(['logs', 'first', '--adw-id', 'second'], {cwd: dir})
  assert.is(both.exitCode, 2)
  const empty = await adw(['logs'], {cwd: project()})
  assert.is(empty.exitCode, 2)
  assert.match(empty.stderr, /^Error: No database at /)

  const store = openSqliteStore(join(dir, '.adw/orchestrator.db'))
  await store.createRun(newRun('stopped', {workingDir: dir}))
  await store.finishRun('stopped', 'cancelled', 'cancelled')
  await store.close()
  const note = await adw(['logs', 'stopped'], {cwd: dir})
  assert.match(note.stderr, 'run stopped cancelled. Continue it with: adw run --resume --adw-id stopped')
})

test('adw validate: bare names as adw run takes them; alone, every pipelines/*.yaml of the project', async () => {
  const dir = project({'adw.config.yaml': 'project: {name: habits}\n', 'pipelines/ok.yaml': OK, 'pipelines/bad.yaml': BAD.replace('uses: shell', 'uses: shel')})
  const one = await adw(['validate', 'ok'], {cwd: dir})
  assert.is(one.exitCode, 0, one.stderr)
  assert.is(one.stdout, '✓ pipelines/ok.yaml')
  const builtin = await adw(['validate', 'plan-build'], {cwd: dir})
  assert.is(builtin.exitCode, 0, builtin.stderr)
  const all = await adw(['validate'], {cwd: join(dir, 'pipelines')})
  assert.is(all.exitCode, 2)
  assert.is(all.stdout, '✓ ok.yaml')
  assert.match(all.stderr, 'bad.yaml:4:11: Unknown executor "shel"')
  const none = await adw(['validate'], {cwd: project()})
  assert.is(none.exitCode, 2)
  assert.match(none.stderr, /^Error: No pipeline to check: no \.yaml file in /)
})

test('validate: a missing plugin can be installed or linked', async () => {
  const dir = project({'p.yaml': 'name: p\nsteps:\n  - id: a\n    uses: adw-plugin-wc/word-count\n'})
  const r = await adw(['validate', 'p.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'adw plugins install adw-plugin-wc')
  assert.match(r.stderr, 'adw plugins link <dir>')
})

test('a failed run prints how to resume it; -q prints only the summary; scaffold . prints no "cd ."', async () => {
  const dir = project({'pipelines/bad.yaml': BAD})
  const failed = await adw(['run', 'bad', '--adw-id', 'b1'], {cwd: dir})
  assert.is(failed.exitCode, 1)
  assert.match(failed.stdout, /\nlogs: adw logs b1\nresume: adw run --resume --adw-id b1$/)
  const quiet = await adw(['run', 'bad', '-q'], {cwd: dir})
  assert.is(quiet.exitCode, 1)
  assert.match(quiet.stdout, /^✖ run [0-9a-f]{8} failed after /)
  assert.not.match(quiet.stderr, 'adw id:')
  const s = await adw(['scaffold', '.'], {cwd: project()})
  assert.is(s.exitCode, 0, s.stderr)
  assert.match(s.stdout, '\nNext: cp .env.example .env')
  assert.not.match(s.stdout, 'cd .')
})

test('adw runs: --json without snapshots unless --full, --pipeline, and a total line', async () => {
  const dir = project({'pipelines/ok.yaml': OK, 'pipelines/bad.yaml': BAD})
  for (const p of ['ok', 'bad', 'ok']) await adw(['run', p, '-q'], {cwd: dir})
  const json = await adw(['runs', '--json'], {cwd: dir})
  const rows = json.stdout.split('\n').map(l => JSON.parse(l))
  assert.is(rows.length, 3)
  assert.ok(rows.every(r => !('pipeline_snapshot' in r)))
  const full = await adw(['runs', '--json', '--full'], {cwd: dir})
  assert.ok(full.stdout.split('\n').every(l => JSON.parse(l).pipeline_snapshot.startsWith('name: ')))
  const oks = await adw(['runs', '--pipeline', 'ok'], {cwd: dir})
  const lines = oks.stdout.split('\n')
  assert.is(lines.length, 4, oks.stdout)
  assert.ok(lines.slice(1, 3).every(l => / ok +succeeded /.test(l)), oks.stdout)
  assert.match(lines[3], /^total \(2 runs\) +\S+ +0 +\$0\.0000$/)
})

test.run()
