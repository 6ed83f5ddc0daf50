// The shell-injection corpus (test/security/corpus.ts) without the CLI: each context's script as a
// shell step renders it, run by real bash with every hostile payload, and every refused place
// reported by the loader at the tag's line:col. security/injection.test.ts runs the same corpus
// through `adw run`; this one takes a second, so `npm run mutate -- templating` runs it first.
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {stringify} from 'yaml'
import {ValidationError} from '../../src/errors.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import {renderStepOptions} from '../../src/pipeline/shell/render.js'
import {createRegistry} from '../../src/plugins/registry.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {CANARY, CONTEXTS, PAYLOADS, REFUSED} from '../security/corpus.js'

const SEP = '<<adw-corpus-separator>>'
const view = {inputs: Object.fromEntries(PAYLOADS.map((p, i) => [`p${i}`, p]))}
const registry = createRegistry()

test('every context × every payload comes out of bash as it went in, and nothing runs', async () => {
  const dir = tmpDir()
  try {
    for (const c of CONTEXTS) {
      const run = PAYLOADS.map((_, i) => `${c.script.replaceAll('@@', `{{inputs.p${i}}}`).replaceAll('$V', `$V${i}`)}\nprintf '%s' '${SEP}'`).join('\n')
      const {options, env} = await renderStepOptions({run}, view, ['run'], {stepId: 's'})
      for (const [i, p] of PAYLOADS.entries()) env[`V${i}`] = p
      const r = await execa('bash', ['-c', options.run as string], {cwd: dir, env, stripFinalNewline: false, reject: false})
      assert.is(r.exitCode, 0, `context "${c.name}": ${r.stderr}`)
      const printed = r.stdout.split(SEP)
      assert.is(printed.length, PAYLOADS.length + 1, `context "${c.name}" printed one part per payload`)
      PAYLOADS.forEach((p, i) => assert.is(printed[i], c.out!(p), `context "${c.name}", payload ${i} ${JSON.stringify(p.slice(0, 60))}`))
      assert.not.ok(existsSync(join(dir, CANARY)), `context "${c.name}": a payload ran`)
    }
  } finally {
    rmDir(dir)
  }
})

/** 1-based line:col of `needle` in `text`. */
function lineCol(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle)).split('\n')
  return `${before.length}:${before.at(-1)!.length + 1}`
}

test('every place no value is safe fails the load, each at its tag with the reason', async () => {
  const yaml = stringify({
    name: 'refused',
    inputs: Object.fromEntries(REFUSED.map((_, k) => [`r${k}`, {type: 'string', default: ''}])),
    steps: REFUSED.map((c, k) => ({id: `r${k}`, uses: 'shell', with: {run: c.script.replaceAll('@@', `{{inputs.r${k}}}`)}})),
  })
  const error = await loadPipelineSource(yaml, 'p.yaml', {registry}).catch(e => e)
  assert.instance(error, ValidationError)
  const messages = (error as ValidationError).diagnostics.map(d => `${d.line}:${d.col}: ${d.message}`)
  assert.is(messages.length, REFUSED.length, messages.join('\n'))
  REFUSED.forEach((c, k) => {
    const tag = `{{inputs.r${k}}}`
    const line = messages.find(m => m.startsWith(`${lineCol(yaml, tag)}: ${tag} in run of step "r${k}" sits `))
    assert.ok(line, `"${c.name}" is reported at its tag:\n${messages.join('\n')}`)
    assert.ok(line!.includes(c.says), `"${c.name}" says ${c.says}: ${line}`)
  })
})

test('every safe context loads without a problem', async () => {
  const yaml = stringify({
    name: 'safe',
    inputs: {v: {type: 'string', default: ''}},
    steps: CONTEXTS.map((c, k) => ({id: `c${k}`, uses: 'shell', with: {run: c.script.replaceAll('@@', '{{inputs.v}}')}})),
  })
  const p = await loadPipelineSource(yaml, 'p.yaml', {registry})
  assert.is(p.steps.length, CONTEXTS.length)
})

test.run()
