// adw.config.yaml's budget: and prices: sections: what they give, and every bad value at file:line:col.
import {realpathSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readConfigFile, resolveConfig} from '../../src/config.js'
import {priceOf, PRICES} from '../../src/budget/prices.js'
import {AdwError} from '../../src/errors.js'
import {rmDir, tmpDir} from '../helpers/cli.js'

const dirs: string[] = []
const project = (config: string) => {
  dirs.push(realpathSync(tmpDir({'adw.config.yaml': config}, 'adw-budget-config-')))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, 'CONFIG_INVALID')
    return (error as Error).message
  }
  throw new Error('expected CONFIG_INVALID')
}

test('budget and prices reach the resolved config; config prices extend the built-in table', async () => {
  const dir = project('budget: {run_usd: 2.5, run_tokens: 100000, run_minutes: 30}\nprices:\n  local-llm: {input: 0.5, output: 1.5}\n  claude-sonnet-5-5: {input: 2, output: 10, cache_write: 2.5, cache_read: 0.1}\n')
  const c = await resolveConfig({cwd: dir, env: {}})
  assert.equal(c.budget, {run_usd: 2.5, run_tokens: 100000, run_minutes: 30})
  assert.equal(priceOf('local-llm', c.prices), {input: 0.5, output: 1.5, cacheWrite: 0.625, cacheRead: 0.05})
  assert.equal(priceOf('claude-opus-5', c.prices), PRICES['claude-opus-5'])
})

test('without a config the table is the built-in one and there is no budget', async () => {
  const dir = project('project: {name: p}\n')
  const c = await resolveConfig({cwd: dir, env: {}})
  assert.is(c.budget, undefined)
  assert.is(c.prices, PRICES)
})

test('every bad budget and price value is reported at once, located', async () => {
  const dir = project('budget:\n  run_usd: 0\n  run_tokens: 1.5\n  run_dollars: 3\nprices:\n  m1: {input: -1, output: x}\n  m2: {input: 1}\n  m3: {input: 1, output: 2, cached: 3}\n  m4: 7\n')
  const msg = await refusal(readConfigFile(join(dir, 'adw.config.yaml'), 'adw.config.yaml'))
  for (const line of [
    'adw.config.yaml:2:12: budget.run_usd must be a number above 0',
    'adw.config.yaml:3:15: budget.run_tokens must be a whole number above 0',
    'adw.config.yaml:4:3: unknown key "budget.run_dollars"; allowed: budget.run_usd, budget.run_tokens, budget.run_minutes',
    'adw.config.yaml:6:15: prices.m1.input must be a number of 0 or more',
    'adw.config.yaml:6:27: prices.m1.output must be a number of 0 or more',
    'adw.config.yaml:7:3: prices.m2 needs output',
    'adw.config.yaml:8:29: unknown key "prices.m3.cached"; allowed: input, output, cache_write, cache_read',
    'adw.config.yaml:9:7: prices.m4 must be a mapping with input and output',
  ]) assert.ok(msg.includes(line), `missing: ${line}\nin:\n${msg}`)
})

test('scaffold --config does not require a budget section', async () => {
  const dir = project('project: {name: p}\ndatabase: {path: x.db}\nagent_sdk: {model: m}\nlogging: {level: INFO}\n')
  const c = await readConfigFile(join(dir, 'adw.config.yaml'), 'adw.config.yaml', {requireAll: true})
  assert.is(c.project?.name, 'p')
})

test.run()
