// What a user sees of needs, forEach and retry before running: `adw validate`'s summary line,
// `adw pipelines show` (its NEEDS column, --json) and `adw run --dry-run`; a pipeline without them
// reads as before.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

const FAN = `name: fan
inputs:
  files: {type: string, default: "a.ts,b.ts"}
concurrency: 3
steps:
  - id: plan
    uses: shell
    with: {run: echo plan}
  - id: lint
    needs: []
    forEach: inputs.files.split(",")
    uses: shell
    with: {run: "echo linting {{item}}"}
  - id: review
    needs: [plan]
    forEach: '[{"area": "tests"}, {"area": "docs"}]'
    retry: {maxAttempts: 4, on: [exit, rate_limit]}
    uses: noop
    with: {outputs: {v: "{{item.area}} after {{steps.plan.outputs.stdout}}"}}
  - id: report
    needs: [lint, review]
    if: always()
    uses: noop
    with: {outputs: {all: "{{steps.review.outputs}}"}}
`
const SEQ = `name: seq
steps:
  - id: a
    uses: shell
    with: {run: echo a}
  - id: b
    uses: shell
    with: {run: "echo {{steps.a.outputs.stdout}}"}
`

const dir = tmpDir({'pipelines/fan.yaml': FAN, 'pipelines/seq.yaml': SEQ})
test.after(() => rmDir(dir))

test('adw validate: a one-line summary for a graph, fan-out and retries; a sequential pipeline as before', async () => {
  const r = await adw(['validate', 'pipelines/fan.yaml', 'pipelines/seq.yaml'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  assert.equal(r.stdout.trim().split('\n'), [
    '✓ pipelines/fan.yaml (4 steps; plan, lint start at once, up to 3 at once; forEach: lint, review; retry: review)',
    '✓ pipelines/seq.yaml',
  ])
  const json = JSON.parse((await adw(['validate', 'pipelines/fan.yaml', '--json'], {cwd: dir})).stdout)
  assert.is(json.files[0].summary, '4 steps; plan, lint start at once, up to 3 at once; forEach: lint, review; retry: review')
})

test('adw pipelines show: a NEEDS column, forEach and retry in WHEN, how it runs; --json with needs, forEach, retry', async () => {
  const r = await adw(['pipelines', 'show', 'fan'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const lines = r.stdout.split('\n')
  const header = lines.findIndex(l => l.trim().startsWith('STEP'))
  assert.match(lines[header], /STEP\s+USES\s+NEEDS\s+WHEN/)
  assert.match(lines[header + 1], /^ {2}plan\s+shell\s+\(starts at once\)$/)
  assert.match(lines[header + 2], /^ {2}lint\s+shell\s+\(starts at once\)\s+forEach: inputs\.files\.split\(","\) \(at most 100 items\)$/)
  assert.match(lines[header + 3], /^ {2}review\s+noop\s+plan\s+forEach: .* \(at most 100 items\); retry: 4 attempts on exit, rate_limit; backoff 1s ×2 up to 60s$/)
  assert.match(lines[header + 4], /^ {2}report\s+noop\s+lint, review\s+if: always\(\)$/)
  assert.ok(lines.includes('Runs up to 3 steps at once; a failed step skips what needs it, other branches go on'), r.stdout)

  const json = JSON.parse((await adw(['pipelines', 'show', 'fan', '--json'], {cwd: dir})).stdout)
  assert.is(json.concurrency, 3)
  assert.is(json.failFast, false)
  assert.equal(json.steps.map((s: any) => [s.id, s.needs]), [['plan', []], ['lint', []], ['review', ['plan']], ['report', ['lint', 'review']]])
  assert.equal(json.steps[1].forEach, {items: 'inputs.files.split(",")', maxItems: 100})
  assert.equal(json.steps[2].retry, {maxAttempts: 4, backoff: {initialMs: 1000, factor: 2, maxMs: 60_000}, on: ['exit', 'rate_limit']})

  const seq = await adw(['pipelines', 'show', 'seq'], {cwd: dir})
  assert.not.match(seq.stdout, 'NEEDS')
  assert.not.match(seq.stdout, 'Runs up to')
})

test('adw run --dry-run: needs of each step, the forEach items when inputs decide them, item placeholders, retry', async () => {
  const r = await adw(['run', 'fan', '--dry-run', '-i', 'files=x.ts,y.ts,z.ts'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const out = r.stdout
  assert.match(out, 'Steps (each starts when the steps it needs have finished; up to 3 at once):')
  assert.match(out, '  lint  (shell)\n      needs: (none: starts at once)\n      forEach: inputs.files.split(",") → 3 items: ["x.ts","y.ts","z.ts"] (at most 100)\n      run: echo linting "${ADW_TAG_1}"\n        ADW_TAG_1="<item>"')
  assert.match(out, '  review  (noop)\n      needs: plan\n      forEach: [{"area": "tests"}, {"area": "docs"}] → 2 items')
  assert.match(out, '      retry: 4 attempts on exit, rate_limit; backoff 1s ×2 up to 60s\n      outputs: {"v":"<item.area> after <steps.plan.outputs.stdout>"}')
  assert.match(out, '  report  (noop)  if: always() → runs\n      needs: lint, review\n      outputs: {"all":"<steps.review.outputs: one per item>"}')

  const json = JSON.parse((await adw(['run', 'fan', '--dry-run', '--json'], {cwd: dir})).stdout)
  assert.equal([json.concurrency, json.failFast, json.graph], [3, false, true])
  assert.equal(json.steps[1].forEach, {source: 'inputs.files.split(",")', maxItems: 100, items: ['a.ts', 'b.ts']})
  assert.equal(json.steps[3].needs, ['lint', 'review'])

  const seq = await adw(['run', 'seq', '--dry-run'], {cwd: dir})
  assert.match(seq.stdout, 'Steps, in order:')
  assert.not.match(seq.stdout, 'needs:')
})

test.run()
