// The budget ledger as plain functions: what a charge adds where, which limit it reaches, what is
// left, time, unknown prices, and how run limits are resolved from flags, pipeline and config.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {describeCrossing, Ledger, raiseHint} from '../../src/budget/ledger.js'
import {runLimit, tighter} from '../../src/budget/limits.js'
import {costOf, PRICES, priceOf, withConfigPrices} from '../../src/budget/prices.js'

const call = (usd: number, tokens = 100) => ({inputTokens: tokens, outputTokens: 0, costUsd: usd, model: 'claude-sonnet-5-5'})

test('a charge adds to the run and to every scope on its path; the inner step crossing is named first', () => {
  const l = new Ledger({run: {usd: 10}, steps: {fix_loop: {usd: 1}}, prices: PRICES})
  assert.is(l.charge(['fix_loop', 'fix'], call(0.4), 0).crossed, undefined)
  assert.is(l.charge(['fix_loop', 'review'], call(0.4), 0).crossed, undefined)
  const third = l.charge(['fix_loop', 'fix'], call(0.3), 0).crossed
  assert.equal({...third, spent: Number(third!.spent.toFixed(4))}, {step: 'fix_loop', kind: 'usd', spent: 1.1, limit: 1})
  assert.is(Number(l.spent().usd.toFixed(4)), 1.1)
  assert.is(Number(l.spent(['fix_loop', 'fix']).usd.toFixed(4)), 0.7)
  assert.is(l.spent().tokens, 300)
  assert.is(describeCrossing(third!), 'step fix_loop spent $1.10 of its $1.00 budget')
})

test('the run limit is reached at exactly its amount, and remaining is the least over the path', () => {
  const l = new Ledger({run: {usd: 1, tokens: 1000}, steps: {plan: {tokens: 250}}, prices: PRICES})
  l.charge(['plan'], call(0.25, 200), 0)
  assert.equal(l.remaining(['plan'], 0), {usd: 0.75, tokens: 50})
  assert.equal(l.remaining(['build'], 0), {usd: 0.75, tokens: 800})
  const c = l.charge(['build'], call(0.75, 10), 0).crossed
  assert.equal(c, {kind: 'usd', spent: 1, limit: 1})
  assert.is(describeCrossing(c!), 'the run spent $1.00 of its limit of $1.00')
  assert.is(raiseHint(c!, 'x1'), 'adw run --resume --adw-id x1 --max-usd 2.00')
})

test('tokens count input, output, cache writes and cache reads', () => {
  const l = new Ledger({run: {tokens: 1000}, prices: PRICES})
  const r = l.charge(['a'], {inputTokens: 100, outputTokens: 200, cacheCreationTokens: 300, cacheReadTokens: 400, model: 'claude-sonnet-5-5'}, 0)
  assert.equal(r.crossed, {kind: 'tokens', spent: 1000, limit: 1000})
})

test('usage without a cost is priced from the table; with a cost, the executor is believed', () => {
  const l = new Ledger({prices: PRICES})
  const priced = l.charge(['a'], {inputTokens: 1_000_000, outputTokens: 1_000_000, model: 'claude-sonnet-4-5-20250929'}, 0)
  assert.is(priced.usage.costUsd, 18)
  const own = l.charge(['a'], {inputTokens: 1_000_000, costUsd: 0.5, model: 'whatever'}, 0)
  assert.is(own.usage.costUsd, 0.5)
  assert.is(own.unpriced, undefined)
  assert.is(l.spent().usd, 18.5)
})

test('an unknown model under a USD limit is a crossing, never $0; without one it is flagged and recorded as 0', () => {
  const limited = new Ledger({run: {usd: 5}, prices: PRICES})
  const r = limited.charge(['plan'], {inputTokens: 10, outputTokens: 10, model: 'gpt-9'}, 0)
  assert.is(r.unpriced, 'gpt-9')
  assert.equal(r.crossed, {kind: 'usd', spent: 0, limit: 5, unpricedModel: 'gpt-9'})
  assert.match(describeCrossing(r.crossed!), 'model gpt-9, which has no known price')
  assert.match(raiseHint(r.crossed!, 'x'), 'add the price of gpt-9 to adw.config.yaml')
  const stepOnly = new Ledger({steps: {plan: {usd: 1}}, prices: PRICES})
  assert.is(stepOnly.charge(['plan'], {inputTokens: 1, model: 'gpt-9'}, 0).crossed?.step, 'plan')
  assert.is(stepOnly.charge(['build'], {inputTokens: 1, model: 'gpt-9'}, 0).crossed, undefined)
  const free = new Ledger({run: {tokens: 100}, prices: PRICES})
  const f = free.charge(['a'], {inputTokens: 10, model: 'gpt-9'}, 0)
  assert.equal([f.unpriced, f.usage.costUsd, f.crossed], ['gpt-9', 0, undefined])
})

test('a config price makes a model countable', () => {
  const table = withConfigPrices({'gpt-9': {input: 2, output: 8}})
  assert.equal(priceOf('gpt-9', table), {input: 2, output: 8, cacheWrite: 2.5, cacheRead: 0.2})
  assert.is(costOf('gpt-9', {inputTokens: 500_000, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0}, table), 1)
  const l = new Ledger({run: {usd: 5}, prices: table})
  assert.equal(l.charge(['a'], {inputTokens: 500_000, model: 'gpt-9'}, 0), {usage: {inputTokens: 500_000, model: 'gpt-9', costUsd: 1}})
  assert.is(withConfigPrices({'claude-sonnet-5-5': {input: 9, output: 9}})['claude-sonnet-5-5'].input, 9)
})

test('time runs while a step runs (parallel steps counted once), and crosses the minutes limit', () => {
  const l = new Ledger({run: {minutes: 1}, steps: {slow: {minutes: 0.5}}, prices: PRICES})
  l.enter(['slow'], 0)
  l.enter(['fast'], 10_000)
  l.leave(['fast'], 20_000)
  assert.equal(l.remaining(['slow'], 20_000), {ms: 10_000})
  assert.equal(l.check(['slow'], 30_000), {step: 'slow', kind: 'minutes', spent: 0.5, limit: 0.5})
  l.leave(['slow'], 30_000)
  assert.is(l.spent().ms, 30_000)
  // Idle time (waiting for an approval, between processes) does not count.
  l.enter(['next'], 1_000_000)
  assert.is(l.check(['next'], 1_020_000), undefined)
  assert.equal(l.check(['next'], 1_030_000), {kind: 'minutes', spent: 1, limit: 1})
})

test('a resumed run starts from its recorded spend; its steps start afresh', () => {
  const l = new Ledger({run: {usd: 2}, steps: {build: {usd: 1}}, prior: {usd: 1.5, tokens: 10}, prices: PRICES})
  assert.equal(l.remaining(['build'], 0), {usd: 0.5})
  assert.equal(l.charge(['build'], call(0.5), 0).crossed, {kind: 'usd', spent: 2, limit: 2})
})

test('without limits the ledger says so and never crosses', () => {
  const l = new Ledger({prices: PRICES})
  assert.is(l.limited, false)
  assert.is(l.charge(['a'], call(1000, 1e9), 0).crossed, undefined)
  assert.equal(l.remaining(['a'], 0), {})
  assert.is(new Ledger({steps: {a: {tokens: 1}}, prices: PRICES}).limited, true)
})

test('run limit: flags over the stored limit; else the tighter of pipeline and config', () => {
  assert.equal(runLimit({pipeline: {usd: 5, tokens: 100}, config: {run_usd: 3, run_minutes: 10}}), {usd: 3, tokens: 100, minutes: 10})
  assert.equal(runLimit({flags: {usd: 20}, pipeline: {usd: 5}, config: {run_usd: 3}}), {usd: 20})
  assert.equal(runLimit({flags: {usd: 10}, stored: {usd: 5, tokens: 7}, pipeline: {usd: 1}}), {usd: 10, tokens: 7})
  assert.equal(runLimit({stored: {}, pipeline: {usd: 1}}), {})
  assert.equal(tighter(undefined, undefined), {})
})

test.run()
