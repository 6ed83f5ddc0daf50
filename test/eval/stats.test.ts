import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {fisherExact, quantileOf, wilson} from '../../src/eval/stats.js'

const near = (actual: number, expected: number, digits = 4) => assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ${expected}`)

test('Wilson interval: the published values (statsmodels proportion_confint, method wilson)', () => {
  const i = wilson(5, 6)
  near(i.low, 0.4365)
  near(i.high, 0.9699)
  const all = wilson(10, 10)
  near(all.low, 0.7225)
  near(all.high, 1)
  const none = wilson(0, 20)
  assert.is(none.low, 0)
  near(none.high, 0.1611)
  assert.equal(wilson(0, 0), {low: 0, high: 1})
})

test("Fisher's exact test, two-sided: the textbook tables", () => {
  near(fisherExact(3, 4, 1, 4), 0.4857) // the lady tasting tea
  near(fisherExact(8, 10, 1, 6), 0.03497) // scipy.stats.fisher_exact([[8, 2], [1, 5]])
  near(fisherExact(10, 10, 0, 10), 2 / 184756, 9)
  assert.is(fisherExact(5, 6, 4, 6), 1)
  assert.is(fisherExact(0, 0, 3, 4), 1)
  assert.is(fisherExact(0, 5, 0, 5), 1)
})

test('quantiles: median and p90 of durations, none of nothing', () => {
  assert.is(quantileOf([300, 100, 200], 0.5), 200)
  near(quantileOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)!, 9.1) // linear between the closest ranks
  assert.is(quantileOf([], 0.5), null)
})

test.run()
