import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {reply, startFakeAnthropic, type FakeRequest} from '../helpers/fake-anthropic.js'
import {afterTool, promptOf, runEvalCli} from './eval.helpers.js'

const MATH = readFileSync(join(import.meta.dirname, '../../examples/eval/fixture/src/math.js'), 'utf8')

/** plan-build on the starter suite: each plan writes its file; each build does its case's task right; the judge passes. */
function starterModel(req: FakeRequest) {
  const p = promptOf(req)
  if (p.includes('You judge the work')) return reply.json({verdict: 'PASS', reason: 'The Usage section imports and calls both.'})
  if (p.includes('Plan the following task')) {
    const file = /`(specs\/[^`]+-plan\.md)`/.exec(p)![1]
    return afterTool(req) ? reply.json({plan_file: file, summary: 'Do it.'}) : reply.tool('Write', {file_path: file, content: '# Plan\n'})
  }
  if (afterTool(req)) return reply.text('Done.')
  if (p.includes('subtract(a, b)')) {
    return reply.tools([
      {name: 'Write', input: {file_path: 'src/math.js', content: `${MATH}\nexport function subtract(a, b) {\n  return a - b\n}\n`}},
      {name: 'Write', input: {file_path: 'test/math.test.js', content: `${readFileSync(join(import.meta.dirname, '../../examples/eval/fixture/test/math.test.js'), 'utf8')}\n// subtract is tested too\n`}},
    ])
  }
  if (p.includes('multiply test fails')) return reply.tool('Write', {file_path: 'src/math.js', content: MATH.replace('return a + b\n}\n\n/** Multiplies', 'return a + b\n}\n\n/** Multiplies').replace(/(multiply\(a, b\) \{\n  return a) \+ b/, '$1 * b')})
  return reply.tool('Edit', {file_path: 'README.md', old_string: 'tested with `node --test`.', new_string: "tested with `node --test`.\n\n## Usage\n\n```js\nimport {add, multiply} from './src/math.js'\nadd(2, 3)\n```"})
}

test('the shipped starter suite runs from any folder: three cases pass through plan-build, the checks in the sandbox, the judge', async () => {
  const fake = await startFakeAnthropic(starterModel)
  const dir = tmpDir({}, 'adw-eval-starter-')
  try {
    const r = await runEvalCli(['examples/suite.yaml', '--db', join(dir, 'e.db'), '--json'], {dir, baseURL: fake.url, env: {AGENT_MODEL: 'claude-sonnet-4-5'}})
    assert.is(r.exitCode, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.is(report.suite, 'starter')
    assert.equal(report.failing, [])
    assert.is(`${report.variants[0].passed}/${report.variants[0].trials}`, '3/3', r.stderr)
    assert.is(report.variants[0].variant, 'plan-build · claude-sonnet-4-5')
    assert.ok(fake.messageRequests().some(q => promptOf(q).includes('You judge the work')), 'the judge ran')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test('adw scaffold --with-eval offers the starter suite: evals/suite.yaml and its fixture, which adw eval runs', async () => {
  const fake = await startFakeAnthropic(starterModel)
  const dir = tmpDir({}, 'adw-eval-scaffold-')
  try {
    const s = await adw(['scaffold', dir, '--with-eval'], {cwd: dir})
    assert.is(s.exitCode, 0, s.stderr)
    assert.match(s.stdout, 'evals/suite.yaml')
    assert.match(s.stdout, 'evals/eval/fixture/src/math.js')
    assert.match(s.stdout, 'Measure the pipelines: adw eval evals/suite.yaml')
    assert.match(readFileSync(join(dir, 'evals/suite.yaml'), 'utf8'), 'Run it with an API key:   adw eval evals/suite.yaml')
    const r = await runEvalCli(['evals/suite.yaml', '--json'], {dir, baseURL: fake.url, env: {AGENT_MODEL: 'claude-sonnet-4-5'}})
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(JSON.parse(r.stdout).variants[0].passed, 3)
    const plain = await adw(['scaffold', join(dir, 'other')], {cwd: dir})
    assert.match(plain.stdout, '--with-eval, then adw eval evals/suite.yaml')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
