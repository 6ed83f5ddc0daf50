import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {isolatedAdw, pluginFiles} from './external.helpers.js'

// A plugin whose hook never settles: after the 10 s hook timeout it is skipped with a warning.
// (oclif's timeout timer alone would not keep Node alive: the command used to vanish mid-way.)
const adw = isolatedAdw()
const dir = tmpDir({
  ...pluginFiles('adw-plugin-hang', `export default () => new Promise(() => {})`),
  'p.yaml': 'name: p\nsteps:\n  - id: a\n    uses: noop\n    with: {outputs: {ok: true}}\n',
})
test.after(() => rmDir(dir))

test('a hook that never settles → warning after the timeout, the run still works', async () => {
  assert.is((await adw(['plugins', 'link', join(dir, 'adw-plugin-hang'), '--no-install'])).exitCode, 0)
  const r = await adw(['run', 'p.yaml', '--db', join(dir, 'o.db'), '-w', dir], {cwd: dir})
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.match(r.stderr, 'Warning: plugin adw-plugin-hang failed to load its executors: Timed out after 10000 ms; its executors are skipped, everything else works.')
})

test.run()
