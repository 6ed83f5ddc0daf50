// Mistakes in `needs:` and in what a step reads, as `adw validate` and `adw run` print them: every
// one at file:line:col with the source line and a caret, all at once, exit 2.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

interface Case {
  name: string
  yaml: string
  /** Every expected problem: `line:col` and the whole message, or a fragment of it. */
  expect: [string, string][]
}

const cases: Case[] = [
  {
    name: 'unknown ids in needs, with a near one',
    yaml: `name: x\nsteps:\n  - id: build\n    uses: noop\n  - id: test\n    needs: [biuld, deploy]\n    uses: noop\n`,
    expect: [
      ['6:13', 'Unknown step "biuld" in needs of step "test". Did you mean "build"? Steps of the pipeline: build'],
      ['6:20', 'Unknown step "deploy" in needs of step "test". Steps of the pipeline: build'],
    ],
  },
  {
    name: 'a cycle of written needs',
    yaml: `name: x\nsteps:\n  - id: a\n    needs: [c]\n    uses: noop\n  - id: b\n    needs: [a]\n    uses: noop\n  - id: c\n    needs: [b]\n    uses: noop\n`,
    expect: [['7:13', 'Cycle in needs: a → c → b → a (a needs c; c needs b; b needs a). Steps cannot wait for each other: remove one of these needs']],
  },
  {
    name: 'a cycle through an implicit need',
    yaml: `name: x\nsteps:\n  - id: a\n    needs: [b]\n    uses: noop\n  - id: b\n    uses: noop\n`,
    expect: [['4:13', 'Cycle in needs: a → b → a (a needs b; b needs a, the step before it)']],
  },
  {
    name: 'a step that needs itself',
    yaml: `name: x\nsteps:\n  - id: a\n    needs: [a]\n    uses: noop\n`,
    expect: [['4:13', 'Step "a" needs itself: remove "a" from its needs']],
  },
  {
    name: 'a template reads a step that is not upstream',
    yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n  - id: lint\n    needs: []\n    uses: noop\n    with: {outputs: {p: "{{steps.plan.outputs.text}}"}}\n`,
    expect: [['8:28', 'Step "lint" reads {{steps.plan.outputs.text}}, but step "plan" (line 3) is not upstream of it: a step reads only the steps it needs, directly or through the steps they need (nothing is upstream here). Add "plan" to the needs of step "lint": needs: [plan]']],
  },
  {
    name: 'a condition reads a parallel branch',
    yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n  - id: a\n    needs: [plan]\n    uses: noop\n  - id: b\n    needs: [plan]\n    uses: noop\n    if: has(steps.a.outputs.x)\n`,
    expect: [['11:19', 'Step "b" reads steps.a, but step "a" (line 5) is not upstream of it: a step reads only the steps it needs, directly or through the steps they need (upstream here: plan). Add "a" to the needs of step "b": needs: [plan, a]']],
  },
  {
    name: 'a loop body step needs a step outside the loop, a top-level step needs a body step',
    yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n  - id: l\n    loop: {maxAttempts: 2, until: "true"}\n    steps:\n      - id: fix\n        needs: [plan]\n        uses: noop\n  - id: after\n    needs: [fix]\n    uses: noop\n`,
    expect: [
      ['9:17', 'Step "fix" is in loop "l" and needs "plan", which is not in it: a loop\'s steps need steps of the same loop. Put "plan" in the needs of loop "l" instead'],
      ['12:13', 'Step "after" needs "fix", which is inside loop "l": needs names steps of the same list. Need the loop instead: needs: [l]'],
    ],
  },
  {
    name: 'a body step reads a top-level step the loop does not need',
    yaml: `name: x\nsteps:\n  - id: plan\n    uses: noop\n  - id: l\n    needs: []\n    loop: {maxAttempts: 2, until: "true"}\n    steps:\n      - id: fix\n        uses: noop\n        with: {outputs: {p: "{{steps.plan.outputs.x}}"}}\n`,
    expect: [['11:32', 'Step "fix" reads {{steps.plan.outputs.x}}, but step "plan" (line 3) is not upstream of it: a step reads only the steps it needs, directly or through the steps they need (nothing is upstream here). Add "plan" to the needs of loop "l": needs: [plan]']],
  },
  {
    name: 'a duplicate need',
    yaml: `name: x\nsteps:\n  - id: a\n    uses: noop\n  - id: b\n    needs: [a, a]\n    uses: noop\n`,
    expect: [['6:16', 'needs of step "b" must not list a step twice: "a" is there already; remove one']],
  },
]

function assertCaret(stderr: string, file: string, line: number, col: number, yaml: string): void {
  const lines = stderr.split('\n')
  const head = lines.findIndex(l => l.startsWith(`${file}:${line}:${col}: `))
  assert.ok(head >= 0, `no ${file}:${line}:${col} in:\n${stderr}`)
  const gutter = `  ${line} | `
  assert.is(lines[head + 1], gutter + yaml.split('\n')[line - 1])
  assert.is(lines[head + 2], `${' '.repeat(gutter.length + col - 1)}^`)
}

const dir = tmpDir(Object.fromEntries(cases.map((c, i) => [`bad/${i}.yaml`, c.yaml])))
test.after(() => rmDir(dir))

for (const [i, c] of cases.entries()) {
  test(`adw validate: ${c.name}`, async () => {
    const file = `bad/${i}.yaml`
    const r = await adw(['validate', file], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr)
    assert.not.match(r.stderr, /\n\s+at .*\.(js|ts):\d+/, 'no stack trace')
    for (const [at, message] of c.expect) {
      const [line, col] = at.split(':').map(Number)
      const head = r.stderr.split('\n').find(l => l.startsWith(`${file}:${at}: `))
      assert.ok(head, `expected ${file}:${at}: ... in\n${r.stderr}`)
      assert.match(head!, message)
      assertCaret(r.stderr, file, line, col, c.yaml)
    }
    assert.is(r.stderr.split('\n').filter(l => l.startsWith(`${file}:`)).length, c.expect.length, r.stderr)
  })
}

test('adw run refuses the same mistakes before running anything (exit 2)', async () => {
  const r = await adw(['run', 'bad/1.yaml', '--adw-id', 'cyc'], {cwd: dir})
  assert.is(r.exitCode, 2, r.stderr)
  assert.match(r.stderr, 'bad/1.yaml:7:13: Cycle in needs: a → c → b → a')
  assert.not.match(r.stderr + r.stdout, /step a|✔|started/i)
})

test.run()
