import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {stringify} from 'yaml'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {CANARY, CONTEXTS, PAYLOADS, REFUSED} from './corpus.js'

/** Printed between payloads, so one bash process checks one context against every payload. */
const SEP = '<<adw-corpus-separator>>'

/** One shell step per context; `root.p<i>` holds payload i (an input, or an agent's answer). */
function contextSteps(root: string, extra: object = {}) {
  return CONTEXTS.map((c, k) => ({
    id: `c${k}`,
    name: c.name,
    uses: 'shell',
    continueOnError: true,
    with: {
      ...extra,
      run: PAYLOADS.map((_, i) => `${c.script.replaceAll('@@', `{{${root}.p${i}}}`).replaceAll('$V', `$V${i}`)}\nprintf '%s' '${SEP}'`).join('\n'),
      env: Object.fromEntries(PAYLOADS.map((_, i) => [`V${i}`, `{{${root}.p${i}}}`])),
    },
  }))
}

const inputs = (prefix: string, n: number) => Object.fromEntries(Array.from({length: n}, (_, i) => [`${prefix}${i}`, {type: 'string', default: ''}]))
const inputFlags = (prefix: string) => PAYLOADS.flatMap((p, i) => ['--input', `${prefix}${i}=${p}`])

/** Asserts every context printed every payload exactly, and that nothing created the canary. */
function assertLiteral(db: string, dir: string, how: string) {
  const byId = new Map(rows(db, 'SELECT step_id, status, outputs, error FROM steps').map(r => [r.step_id, r]))
  let checked = 0
  CONTEXTS.forEach((c, k) => {
    const row = byId.get(`c${k}`)
    assert.ok(row, `context "${c.name}" ran (${how})`)
    assert.is(row.status, 'succeeded', `context "${c.name}" (${how}): ${row.error}`)
    const printed = String(JSON.parse(row.outputs).stdout).split(SEP)
    assert.is(printed.length, PAYLOADS.length + 1, `context "${c.name}" (${how}) printed one part per payload`)
    PAYLOADS.forEach((p, i) => {
      assert.is(printed[i], c.out!(p), `context "${c.name}" (${how}), payload ${i} ${JSON.stringify(p.slice(0, 60))}`)
      checked++
    })
  })
  assert.not.ok(existsSync(join(dir, CANARY)), `no payload ran (${how})`)
  return checked
}

const literal = suite('shell templates: values come out of bash as they went in')

literal('every context × every payload, from --input values (real adw run, real bash)', async () => {
  const yaml = stringify({name: 'corpus', inputs: inputs('p', PAYLOADS.length), steps: contextSteps('inputs')})
  const dir = tmpDir({'p.yaml': yaml})
  try {
    const db = join(dir, 'adw.db')
    const r = await adw(['run', 'p.yaml', '--db', db, ...inputFlags('p')], {cwd: dir, timeout: 120_000})
    assert.is(r.exitCode, 0, r.stderr)
    assert.ok(assertLiteral(db, dir, 'inputs') >= CONTEXTS.length * PAYLOADS.length)
  } finally {
    rmDir(dir)
  }
})

literal('every context × every payload, from an agent step’s answer (agent text into later shell steps)', async () => {
  const answer = Object.fromEntries(PAYLOADS.map((p, i) => [`p${i}`, p]))
  const fake = await startFakeAnthropic([reply.json(answer)])
  const gen = {id: 'gen', uses: 'agent', with: {prompt: 'Answer with JSON', output: 'json', tools: []}}
  const yaml = stringify({name: 'corpus-agent', steps: [gen, ...contextSteps('steps.gen.outputs')]})
  const dir = tmpDir({'p.yaml': yaml})
  try {
    const db = join(dir, 'adw.db')
    const r = await adw(['run', 'p.yaml', '--db', db], {cwd: dir, timeout: 120_000, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 0, r.stderr)
    assert.ok(assertLiteral(db, dir, 'agent answer') >= CONTEXTS.length * PAYLOADS.length)
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

literal('every context × every payload in sandboxed shell steps (sandbox: true: the values pass its environment allow-list)', async () => {
  const yaml = stringify({name: 'corpus-sandbox', inputs: inputs('p', PAYLOADS.length), steps: contextSteps('inputs', {sandbox: true})})
  const dir = tmpDir({'p.yaml': yaml})
  try {
    const db = join(dir, 'adw.db')
    const r = await adw(['run', 'p.yaml', '--db', db, ...inputFlags('p')], {cwd: dir, timeout: 120_000})
    assert.is(r.exitCode, 0, r.stderr)
    assert.ok(assertLiteral(db, dir, 'sandbox') >= CONTEXTS.length * PAYLOADS.length)
  } finally {
    rmDir(dir)
  }
})

literal.run()

const refused = suite('shell templates: tags where no value is safe fail the load')

const refusedYaml = () =>
  stringify({
    name: 'refused',
    inputs: inputs('r', REFUSED.length),
    steps: REFUSED.map((c, k) => ({id: `r${k}`, name: c.name, uses: 'shell', with: {run: c.script.replaceAll('@@', `{{inputs.r${k}}}`)}})),
  })

/** 1-based line and column of `needle` in `text`. */
function lineCol(text: string, needle: string): string {
  const at = text.indexOf(needle)
  const before = text.slice(0, at).split('\n')
  return `${before.length}:${before.at(-1)!.length + 1}`
}

refused('adw validate names every one at its file:line:col, all at once, with the fix', async () => {
  const yaml = refusedYaml()
  const dir = tmpDir({'p.yaml': yaml})
  try {
    const r = await adw(['validate', 'p.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2, r.stdout)
    const out = r.stdout + r.stderr
    REFUSED.forEach((c, k) => {
      const tag = `{{inputs.r${k}}}`
      const where = `p.yaml:${lineCol(yaml, tag)}: ${tag} in run of step "r${k}" sits `
      const line = out.split('\n').find(l => l.startsWith(where))
      assert.ok(line, `"${c.name}" is reported at ${where}\n${out}`)
      assert.ok(line!.includes(c.says), `"${c.name}" says ${c.says}: ${line}`)
    })
    assert.match(out, `${REFUSED.length} problems`)
  } finally {
    rmDir(dir)
  }
})

refused('adw run refuses the pipeline with exit 2 before anything runs, whatever the payload', async () => {
  const dir = tmpDir({'p.yaml': refusedYaml()})
  try {
    for (const payload of ['$(touch PWNED)', '`touch PWNED`', '"; touch PWNED; "', "'; touch PWNED; '", 'a[$(touch PWNED)]', 'touch PWNED']) {
      const r = await adw(['run', 'p.yaml', '--db', join(dir, 'adw.db'), ...REFUSED.flatMap((_, k) => ['--input', `r${k}=${payload}`])], {cwd: dir})
      assert.is(r.exitCode, 2, r.stdout)
      assert.not.ok(r.stderr.includes('    at '), 'no stack trace')
      assert.not.ok(existsSync(join(dir, CANARY)), `nothing ran for ${payload}`)
      assert.not.ok(existsSync(join(dir, 'adw.db')), 'nothing written')
    }
  } finally {
    rmDir(dir)
  }
})

refused('{{{x}}} and {{& x}} are refused without unsafeRaw: true, and insert raw text with it', async () => {
  const step = (extra: object) => ({id: 'raw', uses: 'shell', ...extra, with: {run: 'printf "%s|" {{{inputs.a}}} {{& inputs.b}} > out.txt'}})
  const doc = (extra: object) => stringify({name: 'raw', inputs: {a: {type: 'string', default: 'x y'}, b: {type: 'string', default: '$((6*7))'}}, steps: [step(extra)]})
  const dir = tmpDir({'no.yaml': doc({}), 'yes.yaml': doc({unsafeRaw: true})})
  try {
    const no = await adw(['validate', 'no.yaml'], {cwd: dir})
    assert.is(no.exitCode, 2)
    assert.match(no.stdout + no.stderr, /no\.yaml:\d+:\d+: \{\{\{inputs\.a\}\}\} in run of step "raw" inserts the value as shell code/)
    assert.match(no.stdout + no.stderr, /\{\{& inputs\.b\}\} in run of step "raw" inserts the value as shell code.*unsafeRaw: true/)
    const yes = await adw(['run', 'yes.yaml', '--db', join(dir, 'adw.db')], {cwd: dir})
    assert.is(yes.exitCode, 0, yes.stderr)
    assert.is(readFileSync(join(dir, 'out.txt'), 'utf8'), 'x|y|42|')
  } finally {
    rmDir(dir)
  }
})

refused.run()

const plugin = suite('shell templates: an executor from a plugin that declares shellOptions')

// A local module executor that runs its `script` option with bash, giving it ctx.env as the contract says.
const LOCAL = `import {execFileSync} from 'node:child_process'
export default {
  name: 'mysh',
  shellOptions: ['script'],
  async run(o, ctx) {
    return {outputs: {out: execFileSync('bash', ['-c', o.script], {cwd: ctx.workingDir, env: ctx.env, encoding: 'utf8'})}}
  },
}
`

plugin('gets the same references and values: hostile values stay text; unsafe places fail the load', async () => {
  const payload = '$(touch PWNED) `touch PWNED` "; touch PWNED; " \'; touch PWNED; \''
  const ok = stringify({name: 'p', inputs: {v: {type: 'string'}}, steps: [{id: 's', uses: './mysh.js', with: {script: `printf '%s|' {{inputs.v}} "{{inputs.v}}" > out.txt`}}]})
  const bad = stringify({name: 'p', inputs: {v: {type: 'string'}}, steps: [{id: 's', uses: './mysh.js', with: {script: "echo '{{inputs.v}}'"}}]})
  const dir = tmpDir({'mysh.js': LOCAL, 'ok.yaml': ok, 'bad.yaml': bad})
  try {
    const r = await adw(['run', 'ok.yaml', '--db', join(dir, 'adw.db'), '--input', `v=${payload}`], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(readFileSync(join(dir, 'out.txt'), 'utf8'), `${payload}|${payload}|`)
    const v = await adw(['run', 'bad.yaml', '--db', join(dir, 'bad.db'), '--input', `v=${payload}`], {cwd: dir})
    assert.is(v.exitCode, 2)
    assert.match(v.stderr + v.stdout, /bad\.yaml:\d+:\d+: \{\{inputs\.v\}\} in script of step "s" sits inside single quotes/)
    assert.not.ok(existsSync(join(dir, CANARY)))
  } finally {
    rmDir(dir)
  }
})

plugin.run()
