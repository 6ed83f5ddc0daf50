// `budget:` in a pipeline file through `adw validate`: every bad limit at file:line:col, and the
// limits a loaded pipeline carries (loop bodies included).
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {loadPipeline} from '../../src/pipeline/load.js'
import {createRegistry} from '../../src/plugins/registry.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const YAML = `name: budgets
budget: {usd: 2, minutes: 30}
steps:
  - id: plan
    uses: noop
    budget: {tokens: 50000}
  - id: fix_loop
    loop: {maxAttempts: 3, until: "true"}
    budget: {usd: 1}
    steps:
      - id: fix
        uses: noop
        budget: {usd: 0.25, minutes: 5}
`

test('a loaded pipeline carries its own budget and each step\'s, loop bodies included', async () => {
  const dir = tmpDir({'p.yaml': YAML}, 'adw-budget-validate-')
  dirs.push(dir)
  const p = await loadPipeline(join(dir, 'p.yaml'), {registry: createRegistry()})
  assert.equal(p.budget, {run: {usd: 2, minutes: 30}, steps: {plan: {tokens: 50000}, fix_loop: {usd: 1}, fix: {usd: 0.25, minutes: 5}}})
  const ok = await adw(['validate', join(dir, 'p.yaml')])
  assert.is(ok.exitCode, 0, ok.stderr)
})

test('adw validate: every bad budget at file:line:col, exit 2', async () => {
  const bad = `name: b
budget: {usd: 0, tokens: 1.5, minute: 3}
steps:
  - id: a
    uses: noop
    budget: {usd: -1}
  - id: l
    loop: {maxAttempts: 2, until: "true"}
    budget: {}
    steps:
      - id: x
        uses: noop
        budget: {tokens: "many"}
`
  const dir = tmpDir({'b.yaml': bad}, 'adw-budget-validate-')
  dirs.push(dir)
  const r = await adw(['validate', 'b.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  for (const line of [
    'b.yaml:2:15: budget.usd of the pipeline must be more than 0, got 0',
    'b.yaml:2:26: budget.tokens of the pipeline must be an integer, got number 1.5',
    'b.yaml:2:31: Unknown key "minute" in budget of the pipeline: did you mean "minutes"? Allowed: usd, tokens, minutes',
    'b.yaml:6:19: budget.usd of step "a" must be more than 0, got -1',
    'b.yaml:9:13: budget of loop "l" must not be empty: give usd, tokens or minutes, e.g. budget: {usd: 2}',
    'b.yaml:13:26: budget.tokens of step "x" must be an integer, got string "many"',
  ]) assert.ok(r.stderr.includes(line) || r.stdout.includes(line), `missing: ${line}\nin:\n${r.stderr}${r.stdout}`)
  assert.not.match(r.stderr, /    at /)
})

test.run()
