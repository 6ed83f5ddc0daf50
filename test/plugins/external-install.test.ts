import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {EXAMPLE_PLUGIN, isolatedAdw, npmPack} from './external.helpers.js'

// The example plugin packed with `npm pack` and installed the way users install a plugin.
const adw = isolatedAdw()
const dir = tmpDir({
  'save.yaml': `name: save
steps:
  - id: count
    uses: adw-plugin-example/word-count
    with:
      text: "{{inputs.text}}"
  - id: save
    uses: json-file
    with:
      path: counts.json
      data: {lines: "{{steps.count.outputs.lines}}", chars: "{{steps.count.outputs.chars}}"}
inputs:
  text: {type: string, required: true}
`,
})
let tarball = ''

test.before(async () => {
  tarball = await npmPack(EXAMPLE_PLUGIN, dir)
})
test.after(() => rmDir(dir))

test('adw plugins install file:<tarball> installs the example plugin without warnings', async () => {
  assert.ok(existsSync(tarball), tarball)
  const r = await adw(['plugins', 'install', `file:${tarball}`])
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.match(r.stderr, /Warning/)
  const list = await adw(['plugins'])
  assert.is(list.exitCode, 0, list.stderr)
  assert.match(list.stdout, 'adw-plugin-example 1.0.0')
})

test('its executors are listed, sourced from the package, and a pipeline uses them', async () => {
  const ex = await adw(['executors', '--json'])
  assert.is(ex.exitCode, 0, ex.stderr)
  const mine = (JSON.parse(ex.stdout) as any[]).filter(e => e.source === 'adw-plugin-example').map(e => e.name)
  assert.equal(mine.sort(), ['json-file', 'word-count'])
  const r = await adw(['run', 'save.yaml', '--input', 'text=a b\nc', '--db', join(dir, 'o.db'), '-w', dir, '--json'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.equal(JSON.parse(readFileSync(join(dir, 'counts.json'), 'utf8')), {lines: 2, chars: 5})
  const events = r.stdout.split('\n').map(l => JSON.parse(l))
  assert.equal(events.find(e => e.type === 'run:end').status, 'succeeded')
  assert.equal(events.filter(e => e.type === 'step:end').map(e => [e.stepId, e.status]), [['count', 'succeeded'], ['save', 'succeeded']])
})

test('adw plugins uninstall removes them', async () => {
  const r = await adw(['plugins', 'uninstall', 'adw-plugin-example'])
  assert.is(r.exitCode, 0, r.stderr)
  const ex = await adw(['executors', '--json'])
  assert.is(ex.exitCode, 0, ex.stderr)
  assert.not.ok((JSON.parse(ex.stdout) as any[]).some(e => e.source === 'adw-plugin-example'))
})

test.run()
