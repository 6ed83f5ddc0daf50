import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {EXAMPLE_PLUGIN, isolatedAdw} from './external.helpers.js'

// The example plugin linked with `adw plugins link`, then used from pipelines.
const adw = isolatedAdw()
const dir = tmpDir({
  'notes.txt': 'one two three\nfour five\n',
  'count.yaml': `name: count
steps:
  - id: count
    uses: word-count
    with:
      file: notes.txt
  - id: save
    uses: adw-plugin-example/json-file
    with:
      path: out/counts.json
      data:
        words: "{{steps.count.outputs.words}}"
`,
  'typo.yaml': `name: typo
steps:
  - id: count
    uses: word-count
    with:
      fil: notes.txt
`,
  'unknown.yaml': `name: unknown
steps:
  - id: count
    uses: word-cont
`,
  'throws.yaml': `name: throws
steps:
  - id: count
    uses: word-count
    with:
      text: "just three words"
      minWords: 10
`,
})
const run = (file: string) => adw(['run', file, '--db', join(dir, 'o.db'), '-w', dir], {cwd: dir})

test.before(async () => {
  const r = await adw(['plugins', 'link', EXAMPLE_PLUGIN, '--no-install'])
  assert.is(r.exitCode, 0, r.stderr)
})
test.after(() => rmDir(dir))

test('adw executors --json lists the linked plugin executors with their source and options', async () => {
  const r = await adw(['executors', '--json'])
  assert.is(r.exitCode, 0, r.stderr)
  const list = JSON.parse(r.stdout) as any[]
  const wc = list.find(e => e.name === 'word-count')
  assert.ok(wc, r.stdout)
  assert.is(wc.source, 'adw-plugin-example')
  assert.is(wc.qualifiedName, 'adw-plugin-example/word-count')
  assert.equal(wc.options.find((o: any) => o.name === 'minWords'), {name: 'minWords', type: 'integer', required: false, description: 'Fail the step when there are fewer words'})
  const jf = list.find(e => e.name === 'json-file')
  assert.equal(jf.options.filter((o: any) => o.required).map((o: any) => o.name), ['path', 'data'])
  assert.ok(list.some(e => e.name === 'shell' && e.source === 'built-in'))
  assert.is(r.stderr, '')
})

test('a linked plain-JS plugin prints no oclif warning about transpiling', async () => {
  const r = await adw(['executors'], {env: {OCLIF_DISABLE_LINKED_ESM_WARNING: undefined}})
  assert.is(r.exitCode, 0)
  assert.is(r.stderr, '')
})

test('adw executors (text) shows the source next to each name', async () => {
  const r = await adw(['executors'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, 'word-count  (adw-plugin-example)\n  Counts the lines, words and characters')
  assert.match(r.stdout, /\n {2}path {4}string {3}required {2}File to write, relative to the working directory\n/)
  assert.match(r.stdout, 'shell  (built-in)')
})

test('a pipeline using the plugin executors runs, by plain and by qualified name', async () => {
  const r = await run('count.yaml')
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.equal(JSON.parse(readFileSync(join(dir, 'out/counts.json'), 'utf8')), {words: 5})
  const v = await adw(['validate', 'count.yaml'], {cwd: dir})
  assert.is(v.exitCode, 0, v.stderr)
})

test('a plugin schema violation in with: is file:line:col, exit 2', async () => {
  const r = await run('typo.yaml')
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, /typo\.yaml:6:7: Unknown option "fil" for word-count in step "count"/)
  const v = await adw(['validate', 'typo.yaml'], {cwd: dir})
  assert.is(v.exitCode, 2)
  assert.match(v.stderr, /typo\.yaml:6:7: Unknown option "fil"/)
})

test('uses: naming nothing → exit 2 listing the close match among plugin executors', async () => {
  const r = await adw(['validate', 'unknown.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'unknown.yaml:4:11: Unknown executor "word-cont" in step "count". Did you mean "word-count"?')
})

test('an executor that throws fails the step with its message, exit 1', async () => {
  const r = await run('throws.yaml')
  assert.is(r.exitCode, 1, r.stdout + r.stderr)
  assert.match(r.stdout + r.stderr, 'word-count: 3 words, fewer than minWords 10')
})

test('after unlink the executors are gone', async () => {
  const u = await adw(['plugins', 'unlink', 'adw-plugin-example'])
  assert.is(u.exitCode, 0, u.stderr)
  const r = await adw(['executors', '--json'])
  assert.is(r.exitCode, 0, r.stderr)
  assert.not.ok((JSON.parse(r.stdout) as any[]).some(e => e.source === 'adw-plugin-example'))
  const v = await adw(['validate', 'count.yaml'], {cwd: dir})
  assert.is(v.exitCode, 2)
  assert.match(v.stderr, 'Unknown executor "word-count"')
  assert.match(v.stderr, 'no installed plugin "adw-plugin-example" provides executors (none is installed)')
})

test.run()
