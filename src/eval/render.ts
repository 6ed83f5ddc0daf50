/** An eval report as a terminal table or a Markdown document (`--json` prints the report object). */
import {duration, table} from '../history/format.js'
import type {Difference, EvalReport, VariantStats} from './report.js'

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`)
const usd = (x: number | null) => (x === null ? '–' : `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`)
const ms = (x: number | null) => (x === null ? '–' : duration(x))
const num = (x: number | null, digits = 1) => (x === null ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(digits))

const HEADER = ['variant', 'pass', 'rate', '95% CI', 'cost/success', 'median', 'p90', 'tokens/trial', 'fix attempts', 'review 1st try']

function cells(v: VariantStats): string[] {
  return [
    v.variant,
    `${v.passed}/${v.trials}${v.undecided ? ` (+${v.undecided} undecided)` : ''}`,
    pct(v.passRate),
    v.trials ? `${pct(v.interval.low)}–${pct(v.interval.high)}` : '–',
    usd(v.costPerSuccess),
    ms(v.medianMs),
    ms(v.p90Ms),
    num(v.tokensPerTrial),
    num(v.fixAttempts),
    v.firstReview.reviewed ? `${v.firstReview.passed}/${v.firstReview.reviewed}` : '–',
  ]
}

export function describeDifference(d: Difference): string {
  const delta = d.delta === null ? 'no decided trials on one side' : `${d.delta >= 0 ? '+' : ''}${Math.round(d.delta * 100)} points`
  return `${d.b} vs ${d.a}: ${delta}, p = ${d.pValue.toFixed(3)} (Fisher's exact) — ${d.significant ? 'significant' : 'not significant'} at 0.05`
}

/** The report for the terminal. */
export function renderText(r: EvalReport): string {
  const lines = [`Eval ${r.evalId} · suite ${r.suite} · ${r.status.replace('_', ' ')} · $${r.costUsd.toFixed(4)} spent`, '']
  lines.push(...table(HEADER, r.variants.map(cells)))
  if (r.differences.length) lines.push('', ...r.differences.map(describeDifference))
  if (r.failing.length) {
    lines.push('', `Failing trials (${r.failing.length}):`)
    for (const f of r.failing) lines.push(`  ✖ ${f.runKey}: ${f.reason ?? f.status}`, ...f.open.map(c => `      ${c}`))
  }
  if (r.status === 'budget_exceeded' || r.status === 'cancelled' || r.status === 'running') {
    lines.push('', `Not finished: adw eval <suite.yaml> --resume ${r.evalId}${r.status === 'budget_exceeded' ? ' --max-usd <more>' : ''} runs the rest`)
  }
  return lines.join('\n')
}

const md = (s: string) => s.replaceAll('|', '\\|')

/** The report as Markdown (`--report file.md`): a table per variant, the differences, the failing trials with their commands. */
export function renderMarkdown(r: EvalReport): string {
  const out = [`# Eval ${r.evalId}: ${md(r.suite)}`, '', `Status: ${r.status.replace('_', ' ')} · started ${r.startedAt}${r.finishedAt ? ` · finished ${r.finishedAt}` : ''} · spent $${r.costUsd.toFixed(4)}`, '']
  out.push(`| ${HEADER.join(' | ')} |`, `| ${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`)
  for (const v of r.variants) out.push(`| ${cells(v).map(md).join(' | ')} |`)
  if (r.differences.length) out.push('', '## Differences', '', ...r.differences.map(d => `- ${md(describeDifference(d))}`))
  out.push('', '## Cases', '', `| case | ${r.variants.map(v => md(v.variant)).join(' | ')} |`, `| --- | ${r.variants.map(() => '---:').join(' | ')} |`)
  for (const c of r.cases) out.push(`| ${md(c.caseId)} | ${r.variants.map(v => `${c.byVariant[v.variant]?.passed ?? 0}/${c.byVariant[v.variant]?.trials ?? 0}`).join(' | ')} |`)
  if (r.failing.length) {
    out.push('', '## Failing trials', '')
    for (const f of r.failing) out.push(`- **${md(f.runKey)}**: ${md(f.reason ?? f.status)}`, ...f.open.map(c => `  - \`${c}\``))
  }
  return out.join('\n') + '\n'
}
