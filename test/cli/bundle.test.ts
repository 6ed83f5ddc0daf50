import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, isolatedEnv, rmDir, ROOT, tmpDir} from '../helpers/cli.js'

// What `npm run build` promises (bin/bundle.mjs): the CLI loads as a few bundled files, and adw's own
// schemas are precompiled, so checking a built-in pipeline never loads ajv. Observed from outside:
// a module hook, loaded with --import, lists every module the process resolves.
const dir = tmpDir({
  'trace.mjs': `import {registerHooks} from 'node:module'
import {appendFileSync} from 'node:fs'
registerHooks({resolve(spec, ctx, next) { const r = next(spec, ctx); appendFileSync(process.env.ADW_TRACE, r.url + '\\n'); return r }})
`,
})
test.after(() => rmDir(dir))

async function traced(args: string[], name: string, cwd = dir): Promise<{exitCode: number; stderr: string; modules: string[]}> {
  const trace = join(dir, `${name}.txt`)
  const r = await execa(ADW, args, {cwd, reject: false, stdin: 'ignore', env: {...isolatedEnv(), ADW_TRACE: trace, NODE_OPTIONS: `--import=${join(dir, 'trace.mjs')}`}})
  return {exitCode: r.exitCode ?? -1, stderr: String(r.stderr), modules: [...new Set(readFileSync(trace, 'utf8').trim().split('\n'))]}
}

test('validating the seed pipelines loads bundled files only, and no ajv', async () => {
  const files = ['plan-build', 'plan-build-review', 'plan-build-review-fix'].map(p => join(ROOT, 'pipelines', `${p}.yaml`))
  const r = await traced(['validate', ...files], 'validate')
  assert.is(r.exitCode, 0, r.stderr)
  const ours = r.modules.filter(u => u.startsWith('file:') && !u.includes('/node_modules/'))
  assert.ok(ours.some(u => u.endsWith('/dist/cli.js')), ours.join('\n'))
  assert.ok(ours.every(u => /\/(bin\/run\.js|dist\/cli\.js|dist\/commands\/[\w-]+\.js|dist\/chunks\/[\w-]+\.js)$/.test(u)), `only the bundle:\n${ours.join('\n')}`)
  // 56, not 50: the Postgres store (never loaded here) shares five small store modules with the SQLite
  // store (status, values, url, log buffer, approval rules), which esbuild therefore puts in chunks of
  // their own, 1-5 KB each; validate loads them as before, in more files.
  assert.ok(ours.length < 56, `${ours.length} files`)
  assert.not.ok(r.modules.some(u => u.includes('/node_modules/ajv/')), 'ajv is not loaded')
})

test('an executor schema adw did not precompile is still checked (ajv loads for it)', async () => {
  const d = tmpDir({
    'echo.mjs': `export default {name: 'echo', schema: {type: 'object', required: ['text'], additionalProperties: false, properties: {text: {type: 'string'}}}, async run(o) { return {outputs: {text: o.text}} }}\n`,
    'p.yaml': 'name: local\nsteps:\n  - id: say\n    uses: ./echo.mjs\n    with: {txt: hi}\n',
  })
  try {
    const r = await traced(['validate', 'p.yaml'], 'local', d)
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, /p\.yaml:5:12: Unknown option "txt" for echo in step "say": did you mean "text"\?/)
    assert.ok(r.modules.some(u => u.includes('/node_modules/ajv/')), 'ajv loaded for the local schema')
  } finally {
    rmDir(d)
  }
})

test('on SQLite, adw never loads pg: adw run and adw runs load no module holding the Postgres driver', async () => {
  const d = tmpDir({'p.yaml': 'name: tiny\nsteps:\n  - id: a\n    uses: shell\n    with: {run: echo hi}\n'})
  try {
    for (const [args, name] of [[['run', 'p.yaml', '--db', 'x.db'], 'run-sqlite'], [['runs', '--db', 'x.db'], 'runs-sqlite']] as const) {
      const r = await traced([...args], name, d)
      assert.is(r.exitCode, 0, r.stderr)
      const files = r.modules.filter(u => u.startsWith('file:') && u.endsWith('.js')).map(u => new URL(u).pathname)
      // pg's code (bundled into a chunk of its own) is the only code that names its optional native binding.
      const withPg = files.filter(f => readFileSync(f, 'utf8').includes('pg-native'))
      assert.equal(withPg, [], `adw ${args.join(' ')} loaded pg`)
    }
  } finally {
    rmDir(d)
  }
})

test.run()
