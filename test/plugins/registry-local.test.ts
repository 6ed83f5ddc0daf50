import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ROOT, rmDir, tmpDir} from '../helpers/cli.js'
import {isolatedAdw} from './external.helpers.js'

// Local modules: `uses: ./x.js` resolved from the pipeline file's folder, default export = one executor.
const adw = isolatedAdw()
const upper = `export default {
  name: 'upper',
  schema: {type: 'object', additionalProperties: false, required: ['text'], properties: {text: {type: 'string'}}},
  async run(o, ctx) { ctx.log('INFO', 'output', 'upper ' + ctx.stepId); return {outputs: {text: o.text.toUpperCase()}} },
}
`
const dir = tmpDir({
  'pipes/steps/upper.js': upper,
  'shared/count.mjs': `export default {name: 'count', async run(o) { return {outputs: {n: String(o.s).length}} }}`,
  'shared/legacy.cjs': `module.exports = {name: 'legacy', async run() { return {outputs: {cjs: true}} }}`,
  'pipes/steps/boom.js': `throw new Error('boom at import')\nexport default {}`,
  'pipes/steps/syntax.js': `export default {name: 'x', run() {`,
  'pipes/steps/nodefault.js': `export const x = {name: 'x', run() {}}`,
  'pipes/steps/norun.js': `export default {name: 'norun'}`,
  'pipes/steps/fails.js': `export default {name: 'fails', async run() { throw new Error('lint found 3 problems') }}`,
  'pipes/ok.yaml': `name: ok
steps:
  - id: up
    uses: ./steps/upper.js
    with: {text: "hello"}
  - id: n
    uses: ../shared/count.mjs
    with: {s: "{{steps.up.outputs.text}}!"}
  - id: old
    uses: ../shared/legacy.cjs
  - id: abs
    uses: ABS
    with: {text: "n={{steps.n.outputs.n}} cjs={{steps.old.outputs.cjs}}"}
  - id: out
    uses: shell
    with: {run: "echo {{steps.abs.outputs.text}} > out.txt"}
`,
  'pipes/broken.yaml': `name: broken
steps:
  - id: a
    uses: ./steps/boom.js
  - id: b
    uses: ./steps/missing.js
  - id: c
    uses: ./steps/nodefault.js
  - id: d
    uses: ./steps/norun.js
  - id: e
    uses: steps/upper.js
  - id: f
    uses: ./steps/syntax.js
  - id: g
    uses: ./steps/upper.js
    with: {txt: "x"}
`,
  'pipes/fails.yaml': `name: fails
steps:
  - id: lint
    uses: ./steps/fails.js
`,
})
const pipe = (name: string) => join(dir, 'pipes', name)
writeFileSync(pipe('ok.yaml'), readFileSync(pipe('ok.yaml'), 'utf8').replace('ABS', join(dir, 'pipes/steps/upper.js')))
test.after(() => rmDir(dir))

test('local modules: ./ and ../ from the pipeline folder (not the cwd), .mjs, .cjs and absolute paths', async () => {
  const r = await adw(['run', pipe('ok.yaml'), '--db', join(dir, 'o.db'), '-w', dir], {cwd: ROOT})
  assert.is(r.exitCode, 0, r.stdout + r.stderr)
  assert.is(readFileSync(join(dir, 'out.txt'), 'utf8'), 'N=6 CJS=TRUE\n')
  const v = await adw(['validate', pipe('ok.yaml')])
  assert.is(v.exitCode, 0, v.stderr)
})

test('a local module that cannot load is a diagnostic at its uses:, every one listed, exit 2', async () => {
  const r = await adw(['validate', 'pipes/broken.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  const lines = r.stderr.split('\n').filter(l => l.startsWith('pipes/broken.yaml:'))
  assert.equal(lines, [
    'pipes/broken.yaml:4:11: Cannot load executor "./steps/boom.js" in step "a": pipes/steps/boom.js threw while loading: boom at import',
    'pipes/broken.yaml:6:11: Cannot load executor "./steps/missing.js" in step "b": no such file pipes/steps/missing.js (a local module is resolved from the pipeline file\'s folder)',
    'pipes/broken.yaml:8:11: Cannot load executor "./steps/nodefault.js" in step "c": pipes/steps/nodefault.js has no default export; it must `export default {name, run(options, ctx) {…}}`',
    'pipes/broken.yaml:10:11: Cannot load executor "./steps/norun.js" in step "d": the default export of pipes/steps/norun.js "norun" has no run(options, ctx) function, got nothing',
    'pipes/broken.yaml:12:11: Cannot load executor "steps/upper.js" in step "e": a local module must start with ./ or ../ (or be absolute): write uses: ./steps/upper.js',
    'pipes/broken.yaml:14:11: Cannot load executor "./steps/syntax.js" in step "f": pipes/steps/syntax.js threw while loading: SyntaxError: Unexpected end of input',
    'pipes/broken.yaml:17:12: Unknown option "txt" for upper in step "g": did you mean "text"? Allowed: text',
  ])
  const run = await adw(['run', 'pipes/broken.yaml', '--db', join(dir, 'never.db'), '-w', dir], {cwd: dir})
  assert.is(run.exitCode, 2)
  assert.match(run.stderr, 'pipes/broken.yaml:4:11: Cannot load executor "./steps/boom.js"')
})

test('a local executor that throws fails its step with the message, exit 1', async () => {
  const r = await adw(['run', pipe('fails.yaml'), '--db', join(dir, 'o.db'), '-w', dir])
  assert.is(r.exitCode, 1)
  assert.match(r.stdout + r.stderr, 'step lint failed: lint found 3 problems')
})

test('adw executors <pipeline…> lists the local modules those pipelines use, with their source', async () => {
  const r = await adw(['executors', 'pipes/ok.yaml', '--json'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const locals = (JSON.parse(r.stdout) as any[]).filter(e => e.source.startsWith('local'))
  assert.equal(locals.map(e => [e.name, e.source, e.qualifiedName]), [
    ['upper', 'local (pipes/steps/upper.js)', join(dir, 'pipes/steps/upper.js')],
    ['count', 'local (shared/count.mjs)', join(dir, 'shared/count.mjs')],
    ['legacy', 'local (shared/legacy.cjs)', join(dir, 'shared/legacy.cjs')],
  ])
  assert.equal(locals[0].options, [{name: 'text', type: 'string', required: true}])
  const text = await adw(['executors', 'pipes/broken.yaml'], {cwd: dir})
  assert.is(text.exitCode, 0, text.stderr)
  assert.match(text.stdout, 'upper  local (pipes/steps/upper.js)\n  text  string  required')
  assert.match(text.stderr, 'pipes/broken.yaml has problems; see: adw validate')
})

test('the repository example: examples/pipelines/lint.yaml with examples/steps/lint.js', async () => {
  const work = tmpDir({'clean.txt': 'fine\n', 'dirty.txt': 'trailing \n\tTab\n'})
  try {
    const args = (file: string) => ['run', join(ROOT, 'examples/pipelines/lint.yaml'), '--input', `file=${file}`, '--db', join(work, 'o.db'), '-w', work]
    const ok = await adw(args('clean.txt'))
    assert.is(ok.exitCode, 0, ok.stdout + ok.stderr)
    const bad = await adw(args('dirty.txt'))
    assert.is(bad.exitCode, 1)
    assert.match(bad.stdout + bad.stderr, 'lint: 2 problems, first: dirty.txt:1: trailing whitespace')
  } finally {
    rmDir(work)
  }
})

test.run()
