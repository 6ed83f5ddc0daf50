/**
 * The statistics of a report: a pass rate's Wilson score interval, Fisher's exact test of two pass
 * rates, and duration quantiles. simple-statistics gives log-gamma and the quantiles (its probit is
 * an approximation off in the third decimal, so the 95% normal quantile is the constant below); the two formulas are short and tested against published values (test/eval/stats.test.ts).
 */
import {gammaln, quantile} from 'simple-statistics'

/** An interval of a proportion, both ends in [0, 1]. */
export interface Interval {
  low: number
  high: number
}

/** The standard normal's 97.5% quantile: a two-sided 95% interval. */
const Z_95 = 1.959963984540054

/** The 95% Wilson score interval of `successes` out of `n`; [0, 1] when n is 0. */
export function wilson(successes: number, n: number): Interval {
  if (n === 0) return {low: 0, high: 1}
  const z = Z_95
  const p = successes / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const center = (p + z2 / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  return {low: Math.max(0, center - half), high: Math.min(1, center + half)}
}

const lnChoose = (n: number, k: number): number => gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)

/**
 * Fisher's exact test, two-sided: the probability, with both variants equally good, of pass counts
 * at least as uneven as `a` of `n1` against `b` of `n2` (the tables no more likely than the one seen).
 */
export function fisherExact(a: number, n1: number, b: number, n2: number): number {
  const passes = a + b
  const total = n1 + n2
  if (n1 === 0 || n2 === 0 || passes === 0 || passes === total) return 1
  const lnAll = lnChoose(total, passes)
  const prob = (x: number) => Math.exp(lnChoose(n1, x) + lnChoose(n2, passes - x) - lnAll)
  const seen = prob(a)
  let p = 0
  for (let x = Math.max(0, passes - n2); x <= Math.min(n1, passes); x++) {
    const px = prob(x)
    // The relative tolerance keeps tables exactly as likely as the one seen despite rounding.
    if (px <= seen * (1 + 1e-7)) p += px
  }
  return Math.min(1, p)
}

/** The q-quantile of the values (simple-statistics' definition), or null when there are none. */
export function quantileOf(values: number[], q: number): number | null {
  return values.length ? quantile(values, q) : null
}
