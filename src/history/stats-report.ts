import {count, dollars, duration, table} from './format.js'
import {openExistingStore} from './open.js'
import {computeStats, type Spend, type Stats} from './stats.js'

export interface ShowStatsOptions {
  dbPath: string
  /** Only runs started in the last N days (UTC, today included); all runs without it. */
  days?: number
  json?: boolean
  /** Receives whole lines, all at once. */
  write: (lines: string) => void
}

/** `adw stats`: the dashboard's cost and quality figures, as tables or one JSON object. */
export async function showStats(opts: ShowStatsOptions): Promise<void> {
  const store = await openExistingStore(opts.dbPath)
  let stats: Stats
  try {
    stats = await computeStats(store, {days: opts.days})
  } finally {
    await store.close()
  }
  opts.write(opts.json ? JSON.stringify(stats, null, 2) : statsText(stats).join('\n'))
}

// The same count as `adw runs` and the live view: input, output, cache writes and cache reads.
const tokens = (s: Spend): string => count(s.inputTokens + s.outputTokens + s.cacheCreationTokens + s.cacheReadTokens)
const percent = (r: number | null): string => (r === null ? '-' : `${Math.round(r * 100)}%`)

/** The figures as the terminal shows them. */
export function statsText(s: Stats): string[] {
  if (s.runs === 0) return [s.since ? `No runs with steps since ${s.since}.` : 'No runs with steps yet. Start one with: adw run <pipeline>']
  const out = [
    `${s.runs} run${s.runs === 1 ? '' : 's'}${s.since ? ` since ${s.since}` : ''}: ${dollars(s.total.costUsd)}, ${tokens(s.total)} tokens (${count(s.total.cacheReadTokens)} of them cache reads)`,
    `Review passed on the first try: ${percent(s.review.rate)} (${s.review.passedFirstTry} of ${s.review.runs} runs with a verdict)`,
  ]
  if (s.fixAttempts.length > 0) out.push(`Fix-loop iterations: ${s.fixAttempts.map(a => `${a.attempts}: ${a.runs} run${a.runs === 1 ? '' : 's'}`).join(', ')}`)
  out.push('', ...table(['DAY', 'RUNS', 'TOKENS', 'COST'], s.perDay.slice(-14).map(d => [d.day, String(d.runs), tokens(d), dollars(d.costUsd)])))
  out.push('', ...table(['PIPELINE', 'RUNS', 'TOKENS', 'COST'], s.perPipeline.map(p => [p.pipeline, String(p.runs), tokens(p), dollars(p.costUsd)])))
  if (s.perModel.length > 0) out.push('', ...table(['MODEL', 'STEPS', 'TOKENS', 'COST'], s.perModel.map(m => [m.model, String(m.steps), tokens(m), dollars(m.costUsd)])))
  out.push('', ...table(['STEP', 'EXECUTIONS', 'MEDIAN', 'TOKENS', 'COST'], s.perStep.map(p => [p.step, String(p.executions), p.medianMs === null ? '-' : duration(p.medianMs), tokens(p), dollars(p.costUsd)])))
  return out
}
