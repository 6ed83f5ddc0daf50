import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {echoExecutor, isolatedAdw, pluginFiles} from './external.helpers.js'

// Broken and clashing plugins: each fault is named, and everything else keeps working.
const adw = isolatedAdw()
const dir = tmpDir({
  ...pluginFiles('adw-plugin-good', `export default async () => [${echoExecutor('dup')}, ${echoExecutor('good')}]`),
  ...pluginFiles('adw-plugin-twin', `export default () => [${echoExecutor('dup')}, ${echoExecutor('shell')}]`),
  ...pluginFiles('adw-plugin-throws', `throw new Error('cannot start: missing config')`),
  ...pluginFiles('adw-plugin-junk', `export default () => ({name: 'not-a-list'})`),
  ...pluginFiles('adw-plugin-bad-items', `export default () => [42, {name: 'no-run'}, {name: 'bad-schema', run() {}, schema: {type: 'strng'}}, ${echoExecutor('fine')}]`),
  'good.yaml': `name: good
steps:
  - id: a
    uses: good
    with: {msg: hi}
  - id: b
    uses: fine
  - id: c
    uses: noop
`,
  'dup.yaml': `name: dup
steps:
  - id: a
    uses: dup
`,
  'qualified.yaml': `name: qualified
steps:
  - id: a
    uses: adw-plugin-twin/dup
  - id: b
    uses: adw-plugin-good/dup
    with: {msg: "{{steps.a.outputs.from}}"}
  - id: c
    uses: adw/shell
    with: {run: "echo {{steps.b.outputs.msg}} > out.txt"}
  - id: d
    uses: adw-plugin-twin/shell
`,
  'shell.yaml': `name: shell
steps:
  - id: a
    uses: shell
    with: {run: "true"}
`,
})
const warnings = (stderr: string) => stderr.split('\n').filter(l => l.startsWith('Warning:'))

test.before(async () => {
  for (const name of ['adw-plugin-good', 'adw-plugin-twin', 'adw-plugin-throws', 'adw-plugin-junk', 'adw-plugin-bad-items']) {
    const r = await adw(['plugins', 'link', join(dir, name), '--no-install'])
    assert.is(r.exitCode, 0, `${name}: ${r.stderr}`)
  }
})
test.after(() => rmDir(dir))

test('a plugin that throws or returns junk → one warning naming it; the others load', async () => {
  const r = await adw(['executors', '--json'])
  assert.is(r.exitCode, 0, r.stderr)
  const w = warnings(r.stderr)
  assert.ok(w.some(l => l.startsWith('Warning: plugin adw-plugin-throws failed to load its executors: cannot start: missing config; its executors are skipped, everything else works.')), r.stderr)
  assert.ok(w.some(l => l.startsWith('Warning: plugin adw-plugin-junk: its adw:executors hook must return a list of executors, got object;')), r.stderr)
  const list = JSON.parse(r.stdout) as any[]
  assert.equal(list.filter(e => e.source === 'adw-plugin-bad-items').map(e => e.name), ['fine'])
  assert.ok(list.some(e => e.name === 'good' && e.source === 'adw-plugin-good'))
})

test('each invalid executor of a plugin is skipped with a warning saying what is wrong', async () => {
  const r = await adw(['executors'])
  assert.is(r.exitCode, 0, r.stderr)
  const w = warnings(r.stderr).filter(l => l.includes('adw-plugin-bad-items'))
  assert.equal(w, [
    'Warning: plugin adw-plugin-bad-items: executor #1 is not an executor object {name, run(options, ctx)}, got number 42; it is skipped',
    'Warning: plugin adw-plugin-bad-items: executor #2 "no-run" has no run(options, ctx) function, got nothing; it is skipped',
    'Warning: plugin adw-plugin-bad-items: executor #3 "bad-schema" has an invalid options schema: schema is invalid: data/type must be equal to one of the allowed values, data/type must be array, data/type must match a schema in anyOf; it is skipped',
  ])
})

test('a pipeline using only healthy executors runs despite the broken plugins', async () => {
  const r = await adw(['run', 'good.yaml', '--db', join(dir, 'o.db'), '-w', dir], {cwd: dir})
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.match(r.stderr, 'Warning: plugin adw-plugin-throws')
})

test('two plugins with one name → error naming both sources and the qualified names, exit 2', async () => {
  const r = await adw(['validate', 'dup.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'dup.yaml:4:11: Cannot load executor "dup" in step "a": "dup" is ambiguous: it is provided by adw-plugin-good and adw-plugin-twin. Choose one with a qualified name: uses: adw-plugin-good/dup or uses: adw-plugin-twin/dup')
})

test('a plugin executor named like a built-in makes the plain name ambiguous too', async () => {
  const r = await adw(['validate', 'shell.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, '"shell" is ambiguous: it is provided by built-in and adw-plugin-twin. Choose one with a qualified name: uses: adw/shell or uses: adw-plugin-twin/shell')
})

test('qualified names always resolve: <plugin>/<name> and adw/<built-in>', async () => {
  const r = await adw(['run', 'qualified.yaml', '--db', join(dir, 'o.db'), '-w', dir], {cwd: dir})
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.is(readFileSync(join(dir, 'out.txt'), 'utf8'), 'dup\n')
})

test('adw executors marks the clash and names the way to choose', async () => {
  const r = await adw(['executors'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, 'dup  (adw-plugin-good)\n  echoes dup\n  ! also provided by adw-plugin-twin: write uses: adw-plugin-good/dup to pick this one')
  const json = await adw(['executors', '--json'])
  assert.is(json.exitCode, 0, json.stderr)
  const list = JSON.parse(json.stdout) as any[]
  assert.equal(list.find(e => e.name === 'shell' && e.source === 'built-in').conflictsWith, ['adw-plugin-twin'])
})

test.run()
