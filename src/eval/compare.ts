/**
 * `adw eval compare <a> <b>`: two evals side by side. Variants (pipeline · model) with the same
 * label are paired; two evals of one variant each are paired whatever their labels (the same suite
 * before and after a prompt change). Per pair: pass rates and Fisher's exact test, cost per success,
 * median duration; and the cases whose pass count changed.
 */
import {resolveConfig} from '../config.js'
import {duration, table} from '../history/format.js'
import {openExistingStore} from '../history/open.js'
import {requireEval} from './index.js'
import {buildReport, SIGNIFICANCE, type EvalReport, type VariantStats} from './report.js'
import {fisherExact} from './stats.js'

export interface ComparedVariant {
  a: VariantStats
  b: VariantStats
  /** Pass rate of b minus pass rate of a. */
  delta: number | null
  pValue: number
  significant: boolean
  costPerSuccessDelta: number | null
  medianMsDelta: number | null
}

export interface Comparison {
  a: {evalId: string; suite: string}
  b: {evalId: string; suite: string}
  variants: ComparedVariant[]
  /** Variants only one eval has. */
  unpaired: string[]
  /** Cases whose pass count changed, per paired variant. */
  cases: Array<{caseId: string; variant: string; a: string; b: string}>
}

export async function compareEvals(opts: {a: string; b: string; db?: string; cwd?: string}): Promise<Comparison> {
  const config = await resolveConfig({cwd: opts.cwd, db: opts.db})
  const store = await openExistingStore(config.dbPath)
  try {
    await requireEval(store, opts.a)
    await requireEval(store, opts.b)
    return compareReports(await buildReport(store, opts.a), await buildReport(store, opts.b))
  } finally {
    await store.close()
  }
}

export function compareReports(ra: EvalReport, rb: EvalReport): Comparison {
  const pairs: Array<[VariantStats, VariantStats]> = []
  const unpaired: string[] = []
  if (ra.variants.length === 1 && rb.variants.length === 1) pairs.push([ra.variants[0], rb.variants[0]])
  else {
    for (const a of ra.variants) {
      const b = rb.variants.find(v => v.variant === a.variant)
      if (b) pairs.push([a, b])
      else unpaired.push(`${a.variant} (only in ${ra.evalId})`)
    }
    for (const b of rb.variants) if (!ra.variants.some(a => a.variant === b.variant)) unpaired.push(`${b.variant} (only in ${rb.evalId})`)
  }
  const sub = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x)
  const variants = pairs.map(([a, b]) => {
    const pValue = fisherExact(a.passed, a.trials, b.passed, b.trials)
    return {a, b, delta: sub(a.passRate, b.passRate), pValue, significant: pValue < SIGNIFICANCE, costPerSuccessDelta: sub(a.costPerSuccess, b.costPerSuccess), medianMsDelta: sub(a.medianMs, b.medianMs)}
  })
  const cases: Comparison['cases'] = []
  for (const [a, b] of pairs) {
    for (const ca of ra.cases) {
      const x = ca.byVariant[a.variant]
      const y = rb.cases.find(c => c.caseId === ca.caseId)?.byVariant[b.variant]
      if (x && y && x.passed / (x.trials || 1) !== y.passed / (y.trials || 1)) cases.push({caseId: ca.caseId, variant: a.variant === b.variant ? a.variant : `${a.variant} → ${b.variant}`, a: `${x.passed}/${x.trials}`, b: `${y.passed}/${y.trials}`})
    }
  }
  return {a: {evalId: ra.evalId, suite: ra.suite}, b: {evalId: rb.evalId, suite: rb.suite}, variants, unpaired, cases}
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`)
const signed = (x: number | null, f: (v: number) => string) => (x === null ? '–' : `${x >= 0 ? '+' : '-'}${f(Math.abs(x))}`)

export function renderComparison(c: Comparison): string {
  const lines = [`Compare ${c.a.evalId} (${c.a.suite}) → ${c.b.evalId} (${c.b.suite})`, '']
  lines.push(
    ...table(
      ['variant', 'pass a', 'pass b', 'change', 'p (Fisher)', 'cost/success change', 'median change'],
      c.variants.map(v => [
        v.a.variant === v.b.variant ? v.a.variant : `${v.a.variant} → ${v.b.variant}`,
        `${v.a.passed}/${v.a.trials} ${pct(v.a.passRate)}`,
        `${v.b.passed}/${v.b.trials} ${pct(v.b.passRate)}`,
        signed(v.delta, x => `${Math.round(x * 100)} points`),
        `${v.pValue.toFixed(3)}${v.significant ? ' significant' : ''}`,
        signed(v.costPerSuccessDelta, x => `$${x.toFixed(4)}`),
        signed(v.medianMsDelta, x => duration(x)),
      ]),
    ),
  )
  if (c.unpaired.length) lines.push('', `Not compared: ${c.unpaired.join(', ')}`)
  if (c.cases.length) lines.push('', 'Cases that changed:', ...c.cases.map(k => `  ${k.caseId} (${k.variant}): ${k.a} → ${k.b}`))
  return lines.join('\n')
}
