import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {checkOptions} from '../../src/pipeline/schema.js'
import {renderStepOptions} from '../../src/pipeline/shell/render.js'
import {parseTimeout, renderOptions} from '../../src/pipeline/template.js'
import {noop} from '../../src/plugins/noop.js'
import {rmDir, tmpDir} from '../helpers/cli.js'

const view = {
  inputs: {prompt: "it's $(touch pwned) `touch pwned2` ; touch pwned3 \"q\" <b>&amp;", n: 3, ratio: 1.5, flag: false},
  steps: {plan: {outputs: {text: 'plan text', list: [{name: 'a'}, {name: 'b'}], obj: {k: 'v', n: [1, 2]}, nil: null}}},
  run: {adwId: 'feat-42', workingDir: '/tmp/w'},
  env: {HOME: '/home/u'},
}

test('renders without HTML escaping', () => {
  const out = renderOptions({prompt: 'Do: {{inputs.prompt}} <{{run.adwId}}>'}, view, [])
  assert.is(out.prompt, `Do: ${view.inputs.prompt} <feat-42>`)
})

test('a string that is exactly one tag keeps the value typed', () => {
  const out = renderOptions({n: '{{inputs.n}}', r: '{{{inputs.ratio}}}', f: '{{inputs.flag}}', o: '{{steps.plan.outputs.obj}}', l: '{{steps.plan.outputs.list}}', z: '{{steps.plan.outputs.nil}}'}, view, [])
  assert.equal(out, {n: 3, r: 1.5, f: false, o: {k: 'v', n: [1, 2]}, l: [{name: 'a'}, {name: 'b'}], z: null})
})

test('a single tag naming nothing drops the key; inside text it renders empty', () => {
  const out = renderOptions({model: '{{inputs.model}}', text: 'm=[{{inputs.model}}]'}, view, [])
  assert.equal(out, {text: 'm=[]'})
})

test('objects and arrays inside text render as JSON, also raw', () => {
  const out = renderOptions({a: 'obj={{steps.plan.outputs.obj}}', b: 'raw={{{steps.plan.outputs.obj}}} amp={{& steps.plan.outputs.list}}'}, view, [])
  assert.is(out.a, 'obj={"k":"v","n":[1,2]}')
  assert.is(out.b, 'raw={"k":"v","n":[1,2]} amp=[{"name":"a"},{"name":"b"}]')
})

test('sections iterate lists; numbers and booleans print plainly', () => {
  const out = renderOptions({s: '{{#steps.plan.outputs.list}}[{{name}}]{{/steps.plan.outputs.list}} n={{inputs.n}} r={{inputs.ratio}} f={{inputs.flag}}'}, view, [])
  assert.is(out.s, '[a][b] n=3 r=1.5 f=false')
})

test('renders deeply: nested objects and arrays; non-strings untouched', () => {
  const out = renderOptions({outputs: {a: ['{{inputs.n}}', 'x {{run.workingDir}}'], b: {c: '{{env.HOME}}'}}, count: 2, yes: true}, view, [])
  assert.equal(out, {outputs: {a: [3, 'x /tmp/w'], b: {c: '/home/u'}}, count: 2, yes: true})
})

test('shell options get each value as an environment variable; other options render it', async () => {
  const {options, env} = await renderStepOptions({run: 'echo {{inputs.prompt}} "{{inputs.n}}" {{steps.plan.outputs.obj}}', env: {P: '{{inputs.prompt}}'}}, view, ['run'], {stepId: 's'})
  assert.is(options.run, 'echo "${ADW_TAG_1}" "${ADW_TAG_2}" "${ADW_TAG_3}"')
  assert.equal(env, {ADW_TAG_1: view.inputs.prompt, ADW_TAG_2: '3', ADW_TAG_3: '{"k":"v","n":[1,2]}'})
  assert.equal(options.env, {P: view.inputs.prompt})
})

test('a shell option that is a single tag is a command name: refused, never run as the value', async () => {
  const refused = await renderStepOptions({run: '{{inputs.prompt}}'}, view, ['run'], {stepId: 's'}).catch((e: Error) => e)
  assert.instance(refused, Error)
  assert.is((refused as Error).message.split(',')[0], '{{inputs.prompt}} in run of step "s" sits as the command name')
})

test('hostile input stays text when bash runs the rendered command, sections included', async () => {
  const dir = tmpDir()
  try {
    const {options, env} = await renderStepOptions({run: 'printf "%s\\n" {{inputs.prompt}}; echo {{#steps.plan.outputs.list}}{{name}} {{/steps.plan.outputs.list}}'}, view, ['run'], {stepId: 's'})
    const r = await execa('bash', ['-c', options.run as string], {cwd: dir, env})
    assert.is(r.stdout, `${view.inputs.prompt}\na b`)
    for (const f of ['pwned', 'pwned2', 'pwned3']) assert.not.ok(existsSync(join(dir, f)), `${f} must not exist`)
  } finally {
    rmDir(dir)
  }
})

test('single quotes in values survive the round trip through bash', async () => {
  const nasty = `a'b''c'\\'$HOME\n"x"`
  const {options, env} = await renderStepOptions({run: 'printf %s {{v}}'}, {v: nasty}, ['run'], {stepId: 's'})
  const r = await execa('bash', ['-c', options.run as string], {stripFinalNewline: false, env})
  assert.is(r.stdout, nasty)
})

test('{{{x}}} and {{& x}} in shell options need unsafeRaw, then insert raw text', async () => {
  const dir = tmpDir()
  const withBlock = {run: 'touch {{{inputs.file}}} && {{& inputs.cmd}}'}
  const v = {inputs: {file: 'made-by-raw', cmd: 'touch second'}}
  try {
    const refused = await renderStepOptions(withBlock, v, ['run'], {stepId: 's'}).catch((e: Error) => e)
    assert.instance(refused, Error)
    assert.match((refused as Error).message, 'unsafeRaw: true')
    const {options} = await renderStepOptions(withBlock, v, ['run'], {stepId: 's', unsafeRaw: true})
    assert.is(options.run, 'touch made-by-raw && touch second')
    await execa('bash', ['-c', options.run as string], {cwd: dir})
    assert.ok(existsSync(join(dir, 'made-by-raw')))
    assert.ok(existsSync(join(dir, 'second')))
  } finally {
    rmDir(dir)
  }
})

test('a value no process could be given fails with a message naming the tag, not an exec error', async () => {
  const nul = await renderStepOptions({run: 'printf %s {{v}}'}, {v: 'a\0b'}, ['run'], {stepId: 's'}).catch((e: Error) => e.message)
  assert.is(nul, '{{v}} in run of step "s" holds a NUL character, which no shell variable can hold')
  const big = await renderStepOptions({run: 'printf %s {{v}}'}, {v: 'x'.repeat(200_000)}, ['run'], {stepId: 's'}).catch((e: Error) => e.message)
  assert.is(big, '{{v}} in run of step "s" is 200000 bytes, more than a process can be given (128 KiB): write it to a file in an earlier step and read the file')
})

test('several tags and several shell templates of one step number their variables in order', async () => {
  const {options, env} = await renderStepOptions({run: 'echo {{a}} "{{b}}"', also: ['cat <<EOF\n{{b}}\nEOF', 'x={{a}}']}, {a: '1', b: '2'}, ['run', 'also'], {stepId: 's'})
  assert.equal(options, {run: 'echo "${ADW_TAG_1}" "${ADW_TAG_2}"', also: ['cat <<EOF\n${ADW_TAG_3}\nEOF', 'x="${ADW_TAG_4}"']})
  assert.equal(env, {ADW_TAG_1: '1', ADW_TAG_2: '2', ADW_TAG_3: '2', ADW_TAG_4: '1'})
})

test('at run time a shell option is refused with a message: a NUL, a raw tag inside a section, a syntax error once rendered', async () => {
  const fail = (withBlock: Record<string, unknown>, v: object) => renderStepOptions(withBlock, v, ['run'], {stepId: 's'}).then(() => 'rendered', (e: Error) => e.message)
  assert.is(await fail({run: 'echo {{v}} \0'}, {v: 'a'}), 'run of step "s" holds a NUL character, which bash cannot run')
  assert.is(await fail({run: '{{#list}}echo {{{x}}}{{/list}}'}, {list: [1], x: 'a'}), '{{{...}}} and {{& ...}} in run of step "s" insert a value as shell code: use {{...}}, or set unsafeRaw: true on the step for a trusted value')
  assert.is(await fail({run: 'echo {{v}} )'}, {v: 'a'}), 'bash cannot parse run of step "s" once rendered, near ")": fix its syntax (adw parses it to place each {{value}} safely)')
})

test('a shell option: a missing or null value renders empty and sets no variable; nested options render, numbers stay', async () => {
  assert.equal(await renderStepOptions({run: 'echo [{{missing}}] {{nil}}'}, {nil: null}, ['run'], {stepId: 's'}), {options: {run: 'echo [] '}, env: {}})
  assert.equal(await renderStepOptions({run: {a: 'echo {{v}}', n: 3}, other: 'x {{v}}'}, {v: 'val'}, ['run'], {stepId: 's'}), {options: {other: 'x val', run: {a: 'echo "${ADW_TAG_1}"', n: 3}}, env: {ADW_TAG_1: 'val'}})
  assert.equal(await renderStepOptions({other: 'x {{v}}'}, {v: 'val'}, ['run'], {stepId: 's'}), {options: {other: 'x val'}, env: {}})
})

test('functions in the view are never called', () => {
  let called = false
  const out = renderOptions({a: 'x{{f}}y', b: '{{f}}'}, {f: () => { called = true; return 'boom' }}, [])
  assert.not.ok(called)
  assert.equal(out, {a: 'xy'})
})

test('checkOptions re-checks rendered options against the executor schema', () => {
  const withBlock = {sleepMs: '{{inputs.n}}', fail: '{{steps.plan.outputs.obj}}'}
  assert.equal(checkOptions(noop, renderOptions({sleepMs: '{{inputs.n}}'}, view, []), 'w'), [])
  assert.equal(checkOptions(noop, renderOptions(withBlock, view, []), 'w'), ['option "fail" of noop in step "w" must be a string after templating, got a mapping {"k":"v","n":[1,2]}'])
})

test('parseTimeout', () => {
  assert.is(parseTimeout('500ms'), 500)
  assert.is(parseTimeout('30s'), 30_000)
  assert.is(parseTimeout('10m'), 600_000)
  assert.is(parseTimeout('1h30m'), 5_400_000)
  assert.is(parseTimeout('1h2m3s4ms'), 3_723_004)
  for (const bad of ['', '5', '5 minutes', 'm', '1.5s', '10ms5s', '-1s']) {
    assert.throws(() => parseTimeout(bad), (e: any) => e.code === 'USAGE' && /e\.g\. "500ms"/.test(e.message), bad)
  }
})

test.run()
