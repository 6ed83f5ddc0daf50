// `adw plugins`, `inspect`, `update` and `reset` (oclif's plugin commands, served as adw's own),
// with their --json, on the example plugin linked into an isolated data folder.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {EXAMPLE_PLUGIN, isolatedAdw} from './external.helpers.js'

const adw = isolatedAdw()
const userPlugins = (json: string) => (JSON.parse(json) as any[]).filter(p => p.type !== 'core').map(p => ({name: p.name, type: p.type, root: p.root}))
const exampleExecutors = async () => {
  const r = await adw(['executors', '--json'])
  assert.is(r.exitCode, 0, r.stderr)
  return (JSON.parse(r.stdout) as any[]).filter(e => e.source === 'adw-plugin-example').map(e => e.name).sort()
}

test('adw plugins and --json: none, then the linked plugin with its type and folder', async () => {
  const none = await adw(['plugins'])
  assert.is(none.exitCode, 0, none.stderr)
  assert.is(none.stdout, 'No plugins installed.')
  const noneJson = await adw(['plugins', '--json'])
  assert.is(noneJson.exitCode, 0, noneJson.stderr)
  assert.equal(userPlugins(noneJson.stdout), [])

  const link = await adw(['plugins', 'link', EXAMPLE_PLUGIN, '--no-install'])
  assert.is(link.exitCode, 0, link.stderr)
  const list = await adw(['plugins'])
  assert.is(list.exitCode, 0, list.stderr)
  assert.is(list.stdout, `adw-plugin-example 1.0.0 (link) ${EXAMPLE_PLUGIN}`)
  const json = await adw(['plugins', '--json'])
  assert.is(json.exitCode, 0, json.stderr)
  assert.equal(userPlugins(json.stdout), [{name: 'adw-plugin-example', type: 'link', root: EXAMPLE_PLUGIN}])
})

test('adw plugins inspect: version, location and its adw:executors hook; --json; an unknown plugin fails naming it', async () => {
  const r = await adw(['plugins', 'inspect', 'adw-plugin-example'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, /adw-plugin-example\n\s+├─ version 1\.0\.0\n\s+├─ location (.+)\n/)
  assert.match(r.stdout, `location ${EXAMPLE_PLUGIN}`)
  const json = await adw(['plugins', 'inspect', 'adw-plugin-example', '--json'])
  assert.is(json.exitCode, 0, json.stderr)
  const [info] = JSON.parse(json.stdout)
  assert.is(info.name, 'adw-plugin-example')
  assert.is(info.root, EXAMPLE_PLUGIN)
  assert.ok(info.hooks['adw:executors'], JSON.stringify(info.hooks))
  const nope = await adw(['plugins', 'inspect', 'adw-plugin-nope'])
  assert.is.not(nope.exitCode, 0)
  assert.match(nope.stderr, 'adw-plugin-nope not installed')
})

test('adw plugins update keeps the plugin and its executors', async () => {
  const r = await adw(['plugins', 'update'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stderr, 'Updating plugins... done')
  assert.equal(await exampleExecutors(), ['json-file', 'word-count'])
})

test('adw plugins reset removes every linked and installed plugin, and their executors', async () => {
  const r = await adw(['plugins', 'reset'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, '- adw-plugin-example 1.0.0 (link)')
  assert.match(r.stdout, 'Unlinked adw-plugin-example')
  const list = await adw(['plugins'])
  assert.is(list.stdout, 'No plugins installed.')
  assert.equal(await exampleExecutors(), [])
})

test.run()
