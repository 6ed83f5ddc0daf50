// A model with no known price is never counted as $0: under a USD budget `adw run` refuses it before
// anything is written (exit 2), unless adw.config.yaml gives its price.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))
const project = (files: Record<string, string>) => {
  const dir = tmpDir(files, 'adw-budget-prices-')
  dirs.push(dir)
  return dir
}

const pipeline = (budget: string, model: string) => `name: priced
inputs:
  model: {type: string, default: claude-sonnet-5-5}
${budget}
steps:
  - id: plan
    uses: agent
    with: {prompt: "Plan it", model: "${model}"}
`

test('an unknown model under the pipeline budget: exit 2, nothing written, the price to add named', async () => {
  const dir = project({'p.yaml': pipeline('budget: {usd: 1}', 'gpt-9')})
  const r = await adw(['run', 'p.yaml'], {cwd: dir, env: {ANTHROPIC_API_KEY: 'test-key'}})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'Error: A USD budget is in force, but adw knows no price for "gpt-9" (step plan uses gpt-9)')
  assert.match(r.stderr, 'Try: give the price in adw.config.yaml, USD per million tokens: prices: {gpt-9: {input: 3, output: 15}}')
  assert.not.match(r.stderr, '    at ')
  assert.ok(!existsSync(join(dir, '.adw')), 'no database was created')
})

test('a model chosen by an input is checked as given; the config budget alone is enough to refuse', async () => {
  const dir = project({'p.yaml': pipeline('', '{{inputs.model}}'), 'adw.config.yaml': 'budget: {run_usd: 3}\n'})
  const r = await adw(['run', 'p.yaml', '--input', 'model=local-llm'], {cwd: dir, env: {ANTHROPIC_API_KEY: 'test-key'}})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'no price for "local-llm"')
  const dry = await adw(['run', 'p.yaml', '--input', 'model=local-llm', '--dry-run'], {cwd: dir, env: {ANTHROPIC_API_KEY: 'test-key'}})
  assert.is(dry.exitCode, 2)
  assert.match(dry.stdout, 'The run would be refused before starting: A USD budget is in force, but adw knows no price for "local-llm"')
})

test('with its price in adw.config.yaml, or without a USD budget, the same model is accepted', async () => {
  const priced = project({'p.yaml': pipeline('budget: {usd: 1}', 'local-llm'), 'adw.config.yaml': 'prices:\n  local-llm: {input: 0.5, output: 1}\n'})
  const r = await adw(['run', 'p.yaml', '--dry-run'], {cwd: priced, env: {ANTHROPIC_API_KEY: 'test-key'}})
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
  assert.not.match(r.stdout, 'refused')
  const tokensOnly = project({'p.yaml': pipeline('budget: {tokens: 1000}', 'local-llm')})
  const t = await adw(['run', 'p.yaml', '--dry-run'], {cwd: tokensOnly, env: {ANTHROPIC_API_KEY: 'test-key'}})
  assert.is(t.exitCode, 0, t.stderr + t.stdout)
})

test.run()
