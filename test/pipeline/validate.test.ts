import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

interface Case {
  /** What is wrong. */
  name: string
  yaml: string
  /** Every expected problem: `line:col` and a message fragment. */
  expect: [string, string][]
}

const STEP = `  - id: hello\n    uses: shell\n    with: {run: echo hi}\n`

const cases: Case[] = [
  {name: 'YAML syntax error', yaml: `name: x\nsteps:\n  - id: a\n    uses: "shell\n`, expect: [['4:11', 'YAML syntax error: Missing closing "quote']]},
  {name: 'YAML bad indentation', yaml: `name: x\nsteps:\n  - id: a\n     uses: shell\n`, expect: [['3:9', 'YAML syntax error: Nested mappings are not allowed in compact mappings']]},
  {name: 'duplicate key', yaml: `name: x\nsteps:\n  - id: a\n    uses: shell\n    uses: noop\n`, expect: [['5:5', 'Duplicate key "uses"']]},
  {name: 'unknown top-level key', yaml: `name: x\nstep:\n${STEP}steps:\n${STEP}`, expect: [['2:1', 'Unknown key "step" in the pipeline: did you mean "steps"?']]},
  {name: 'unknown step key', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n    timout: 5s\n`, expect: [['5:5', 'Unknown key "timout" in step "a": did you mean "timeout"? Allowed: id, name, uses, needs, with, if, timeout, budget, continueOnError, unsafeRaw, forEach, maxItems, retry']]},
  {name: 'missing uses', yaml: `name: x\nsteps:\n  - id: a\n    with: {run: echo}\n`, expect: [['3:5', 'Missing required key "uses" in step "a"']]},
  {name: 'missing name', yaml: `steps:\n${STEP}`, expect: [['1:1', 'Missing required key "name" in the pipeline']]},
  {name: 'unknown executor with a close match', yaml: `name: x\nsteps:\n  - id: build\n    uses: shel\n    with: {run: make}\n`, expect: [['4:11', 'Unknown executor "shel" in step "build". Did you mean "shell"? Try: adw executors']]},
  {name: 'bad shell option', yaml: `name: x\nsteps:\n  - id: build\n    uses: shell\n    with:\n      runn: make\n`, expect: [['6:7', 'Unknown option "runn" for shell in step "build": did you mean "run"? Allowed: run, env, cwd']]},
  {name: 'wrong option type', yaml: `name: x\nsteps:\n  - id: wait\n    uses: noop\n    with: {sleepMs: soon}\n`, expect: [['5:21', 'option "sleepMs" of noop in step "wait" must be an integer, got string "soon"']]},
  {name: 'duplicate step id', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: a\n    uses: noop\n`, expect: [['5:9', 'Duplicate step id "a": already used on line 3']]},
  {name: 'duplicate step id inside a loop', yaml: `name: x\nsteps:\n  - id: fix\n    uses: noop\n  - id: again\n    loop: {maxAttempts: 2, until: "true"}\n    steps:\n      - id: fix\n        uses: noop\n`, expect: [['8:13', 'Duplicate step id "fix": already used on line 3; step ids must be unique in the whole pipeline, loop bodies included']]},
  {name: 'template reads a later step', yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n    with: {outputs: {t: "from {{steps.build.outputs.text}}"}}\n  - id: build\n    uses: noop\n`, expect: [['5:33', 'Step "plan" reads {{steps.build.outputs.text}}, but step "build" runs later (line 6)']]},
  {name: 'template reads its own step', yaml: `name: x\nsteps:\n  - id: plan\n    uses: shell\n    with:\n      run: echo {{steps.plan.outputs.stdout}}\n`, expect: [['6:19', 'Step "plan" reads its own outputs']]},
  {name: 'unknown step in if', yaml: `name: x\nsteps:\n  - id: review\n    uses: noop\n  - id: fix\n    uses: noop\n    if: steps.reveiw.outputs.verdict != "PASS"\n`, expect: [['7:15', 'Unknown step "reveiw" in steps.reveiw (step "fix"). Did you mean "review"?']]},
  {name: 'CEL syntax error in a plain if', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: b\n    uses: noop\n    if: steps.a.outputs.n > 1 &&& true\n`, expect: [['7:33', 'Invalid expression in if of step "b"']]},
  {name: 'CEL syntax error in a double-quoted if with escapes', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: b\n    uses: noop\n    if: "steps.a.outputs.v == \\"\\\\t\\" && )"\n`, expect: [['7:42', 'Invalid expression in if of step "b": Unexpected token: RPAREN']]},
  {name: 'bad until in a single-quoted scalar', yaml: `name: x\nsteps:\n  - id: l\n    loop: {maxAttempts: 3, until: 'steps.r.outputs.v == ''PASS'' ==='}\n    steps:\n      - id: r\n        uses: noop\n`, expect: [['4:68', 'Invalid expression in until of loop "l": Unexpected character: =']]},
  {name: 'CEL error on the second line of a folded block', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: b\n    uses: noop\n    if: >-\n      steps.a.outputs.ok &&\n        (steps.a.outputs.n > 1\n`, expect: [['9:31', 'Expected RPAREN, got EOF']]},
  {name: 'until reads a step after the loop', yaml: `name: x\nsteps:\n  - id: l\n    loop: {maxAttempts: 3, until: steps.check.outputs.ok}\n    steps:\n      - id: r\n        uses: noop\n  - id: check\n    uses: noop\n`, expect: [['4:41', 'Loop "l" reads steps.check, but step "check" runs later (line 8)']]},
  {name: 'unknown name in an expression', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n    if: verdict == "PASS"\n`, expect: [['5:9', 'Unknown name "verdict" in if of step "a": expressions read inputs, steps, run and env']]},
  {name: 'bad timeout', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n    timeout: 5 minutes\n`, expect: [['5:14', 'Invalid timeout "5 minutes" in step "a": use a number with a unit, e.g. "500ms", "30s", "10m" or "1h30m"']]},
  {name: 'maxAttempts 0', yaml: `name: x\nsteps:\n  - id: l\n    loop:\n      maxAttempts: 0\n      until: "true"\n    steps:\n      - id: r\n        uses: noop\n`, expect: [['5:20', 'loop.maxAttempts of loop "l" must be at least 1, got 0']]},
  {name: 'bad onExhausted', yaml: `name: x\nsteps:\n  - id: l\n    loop: {maxAttempts: 2, until: "true", onExhausted: ignore}\n    steps:\n      - id: r\n        uses: noop\n`, expect: [['4:56', 'loop.onExhausted of loop "l" must be one of "fail", "continue", got "ignore"']]},
  {name: 'undeclared input in a template', yaml: `name: x\ninputs:\n  prompt: {type: string, required: true}\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo {{inputs.promt}}"}\n`, expect: [['7:25', 'Undeclared input "promt" in {{inputs.promt}} (step "a"). Did you mean "prompt"?']]},
  {name: 'unknown name in a template', yaml: `name: x\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo {{prompt}}"}\n`, expect: [['5:25', 'Unknown name "prompt" in {{prompt}} (step "a")']]},
  {name: 'unclosed template tag', yaml: `name: x\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo {{inputs.x"}\n`, expect: [['5:23', 'Invalid template in step "a": Unclosed tag']]},
  {name: 'unclosed template section', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: b\n    uses: noop\n    with:\n      fail: "{{# steps.a.outputs.list }}x{{.}}"\n`, expect: [['8:14', 'Invalid template in step "b": Unclosed section "steps.a.outputs.list"']]},
  {name: 'nested loop', yaml: `name: x\nsteps:\n  - id: l\n    loop: {maxAttempts: 2, until: "true"}\n    steps:\n      - id: inner\n        loop: {maxAttempts: 2, until: "true"}\n        steps: [{id: a, uses: noop}]\n`, expect: [['7:9', 'Loops cannot be nested: "inner" is inside loop "l"']]},
  {name: 'hyphenated step id in an expression', yaml: `name: x\nsteps:\n  - id: unit-tests\n    uses: noop\n  - id: b\n    uses: noop\n    if: steps.unit-tests.outputs.ok\n`, expect: [['7:9', 'write a step id containing "-" as steps["unit-tests"]']]},
  {name: 'if of the wrong type', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n    if: 3\n`, expect: [['5:9', 'if of step "a" must be a string or a boolean, got number 3']]},
  {name: 'unknown step in a literal block template', yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n    with:\n      fail: |\n        line one\n          indented {{steps.zz.outputs}}\n`, expect: [['8:22', 'Unknown step "zz" in {{steps.zz.outputs}} (step "a")']]},
  {name: 'empty steps', yaml: `name: x\nsteps: []\n`, expect: [['2:8', 'steps of the pipeline must have at least 1 entry']]},
  {name: 'input default of the wrong type', yaml: `name: x\ninputs:\n  n: {type: number, default: many}\nsteps:\n${STEP}`, expect: [['3:30', 'Default of input "n" must be a number (its type), got "many"']]},
  {name: 'not a mapping', yaml: `- id: a\n  uses: noop\n`, expect: [['1:1', 'A pipeline file must be a YAML mapping']]},
  {
    name: 'several errors in one file, all reported',
    yaml: [
      'name: many',
      'colour: blue',
      'steps:',
      '  - id: plan',
      '    uses: shel',
      '  - id: build',
      '    uses: shell',
      '    with: {run: "make {{steps.test.outputs.x}}"}',
      '    timeout: soon',
      '  - id: test',
      '    uses: noop',
      '    if: steps.build.outputs.exitCode = 0',
      '  - id: plan',
      '    uses: noop',
      '',
    ].join('\n'),
    expect: [
      ['2:1', 'Unknown key "colour"'],
      ['5:11', 'Unknown executor "shel"'],
      ['8:25', 'step "test" runs later'],
      ['9:14', 'Invalid timeout "soon"'],
      ['12:38', 'Invalid expression in if of step "test"'],
      ['13:9', 'Duplicate step id "plan"'],
    ],
  },
  {name: 'template reads a field a step does not have', yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n  - id: build\n    uses: noop\n    with: {outputs: {t: "{{steps.plan.output.text}}"}}\n`, expect: [['7:28', 'Unknown field "output" in {{steps.plan.output.text}} (step "build"): a step has outputs, status, error. Did you mean "outputs"?']]},
  {name: 'template reads an unknown run field', yaml: `name: x\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo {{run.adw_id}}"}\n`, expect: [['5:25', 'Unknown field "adw_id" in {{run.adw_id}} (step "a"): run has adwId, workingDir, costUsd. Did you mean "adwId"?']]},
]

/** Checks that the diagnostic's source line is printed with a caret under `col`. */
function assertCaret(stderr: string, file: string, line: number, col: number, yaml: string): void {
  const lines = stderr.split('\n')
  const head = lines.findIndex(l => l.startsWith(`${file}:${line}:${col}: `))
  assert.ok(head >= 0, `no ${file}:${line}:${col} in:\n${stderr}`)
  const gutter = `  ${line} | `
  assert.is(lines[head + 1], gutter + yaml.split('\n')[line - 1])
  assert.is(lines[head + 2], `${' '.repeat(gutter.length + col - 1)}^`)
}

const dir = tmpDir(Object.fromEntries(cases.map((c, i) => [`malformed/${String(i).padStart(2, '0')}.yaml`, c.yaml])))
test.after(() => rmDir(dir))

for (const [i, c] of cases.entries()) {
  test(`adw validate reports: ${c.name}`, async () => {
    const file = `malformed/${String(i).padStart(2, '0')}.yaml`
    const r = await adw(['validate', file], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr)
    assert.is(r.stdout, '')
    assert.not.match(r.stderr, /\n\s+at .*\.(js|ts):\d+/, 'no stack trace')
    for (const [at, fragment] of c.expect) {
      const [line, col] = at.split(':').map(Number)
      const head = r.stderr.split('\n').find(l => l.startsWith(`${file}:${at}: `))
      assert.ok(head, `expected ${file}:${at}: ... in\n${r.stderr}`)
      assert.match(head!, fragment)
      assertCaret(r.stderr, file, line, col, c.yaml)
    }
    const count = r.stderr.split('\n').filter(l => l.startsWith(`${file}:`)).length
    assert.is(count, c.expect.length, `exactly the expected problems:\n${r.stderr}`)
    assert.match(r.stderr, `✗ ${file}: ${c.expect.length} problem`)
  })
}

const VALID = `# yaml-language-server: $schema=../pipelines/pipeline.schema.json
name: plan-build-review-fix
description: Plan, build, review, then fix until the review passes
inputs:
  prompt: { type: string, required: true }
  model:  { type: string, default: claude-sonnet-4-5 }
steps:
  - id: plan
    uses: noop
    with:
      outputs:
        text: |
          Write an implementation plan for: {{inputs.prompt}} with {{inputs.model}}
  - id: build
    uses: shell
    with: { run: "echo {{steps.plan.outputs.text}}" }
    timeout: 1h30m
  - id: review
    uses: noop
    with: { outputs: { verdict: FAIL, issues: [a] } }
  - id: fix_loop
    if: steps.review.outputs.verdict != "PASS"
    loop: { maxAttempts: 3, until: 'steps.rereview.outputs.verdict == "PASS"', onExhausted: continue }
    steps:
      - id: fix
        uses: noop
        with: { outputs: { prompt: "Fix these issues:\\n{{steps.review.outputs.issues}}" }, sleepMs: "{{inputs.model}}" }
      - id: rereview
        uses: noop
        if: has(steps.fix.outputs.prompt) && steps.fix.outputs.prompt.size() > 0
        with: { outputs: { verdict: "{{#steps.review.outputs.issues}}{{.}}{{/steps.review.outputs.issues}}" } }
  - id: done
    uses: shell
    continueOnError: true
    with: { run: "echo {{steps.rereview.outputs.verdict}} {{run.adwId}} {{env.HOME}}", env: { N: 1 } }
`

test('valid pipelines pass with ✓ and exit 0', async () => {
  const d = tmpDir({'a.yaml': VALID, 'b.yaml': `name: tiny\nsteps:\n${STEP}`})
  try {
    const r = await adw(['validate', 'a.yaml', 'b.yaml'], {cwd: d})
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(r.stdout, '✓ a.yaml\n✓ b.yaml')
    assert.is(r.stderr, '')
  } finally {
    rmDir(d)
  }
})

test('one invalid file among valid ones: exit 2, the valid ones still get ✓', async () => {
  const d = tmpDir({'ok.yaml': `name: tiny\nsteps:\n${STEP}`, 'bad.yaml': cases[8].yaml})
  try {
    const r = await adw(['validate', 'bad.yaml', 'ok.yaml'], {cwd: d})
    assert.is(r.exitCode, 2)
    assert.is(r.stdout, '✓ ok.yaml')
    assert.match(r.stderr, 'bad.yaml:6:7: Unknown option "runn"')
  } finally {
    rmDir(d)
  }
})

test('--json lists every file with its diagnostics', async () => {
  const d = tmpDir({'ok.yaml': `name: tiny\nsteps:\n${STEP}`, 'bad.yaml': cases[7].yaml})
  try {
    const r = await adw(['validate', 'ok.yaml', 'bad.yaml', 'missing.yaml', '--json'], {cwd: d})
    assert.is(r.exitCode, 2)
    const out = JSON.parse(r.stdout)
    assert.equal(out.files[0], {file: 'ok.yaml', valid: true, problems: 0, diagnostics: []})
    assert.is(out.files[1].valid, false)
    assert.equal(out.files[1].diagnostics[0], {file: 'bad.yaml', line: 4, col: 11, message: out.files[1].diagnostics[0].message, sourceLine: '    uses: shel'})
    assert.match(out.files[1].diagnostics[0].message, 'Did you mean "shell"?')
    assert.is(out.files[2].valid, false)
    assert.match(out.files[2].error, 'missing.yaml not found')
  } finally {
    rmDir(d)
  }
})

test('a missing file is exit 2 with a message, not a stack trace', async () => {
  const r = await adw(['validate', 'nope.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'Pipeline file nope.yaml not found')
  assert.not.match(r.stderr, /\s+at /)
})

test('adw schema prints the pipeline JSON Schema', async () => {
  const r = await adw(['schema'])
  assert.is(r.exitCode, 0, r.stderr)
  const schema = JSON.parse(r.stdout)
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#')
  assert.equal(schema.required, ['name', 'steps'])
  assert.ok(schema.definitions.actionStep.properties.timeout.description)
})

test.run()
