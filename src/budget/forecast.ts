/** `adw estimate` and the estimate under `adw run --dry-run`: load, read the history, format. */
import {existsSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'
import {resolveConfig} from '../config.js'
import {findPipeline} from '../engine/start.js'
import {count, dollars, duration} from '../history/format.js'
import {loadPipeline} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import {isStoreUrl} from '../store/url.js'
import {STEP_FACTS} from '../store/queries.js'
import type {StepFact} from '../store/types.js'
import {estimate, type Estimate, type Spread} from './estimate.js'
import type {PriceTable} from './prices.js'

/**
 * The step rows of a database, read-only (a dry run and an estimate write nothing, not even a
 * migration); none when there is no database yet.
 */
export async function historyFacts(dbPath: string): Promise<StepFact[]> {
  if (isStoreUrl(dbPath)) {
    // A database server: the store reads it (a dry run still writes no row).
    const store = await (await import('../store/open.js')).openStore(dbPath)
    try {
      return await store.stepFacts()
    } finally {
      await store.close()
    }
  }
  if (!existsSync(dbPath)) return []
  const db = new DatabaseSync(dbPath, {readOnly: true, timeout: 5000})
  try {
    return db.prepare(STEP_FACTS).all('') as unknown as StepFact[]
  } catch {
    return [] // not an adw database (the run itself would say so)
  } finally {
    db.close()
  }
}

export interface ForecastOptions {
  pipeline: string
  model?: string
  db?: string
  cwd?: string
  registry: ExecutorRegistry
}

/** `adw estimate <pipeline>`: the forecast from the history of the project's database. */
export async function forecast(o: ForecastOptions): Promise<{estimate: Estimate; dbPath: string}> {
  const cwd = o.cwd ?? process.cwd()
  const config = await resolveConfig({cwd, db: o.db})
  const pipeline = await loadPipeline(findPipeline(o.pipeline, cwd, config.projectRoot), {registry: o.registry})
  return {estimate: await forecastOf(pipeline, config.dbPath, {model: o.model, runModel: config.model, prices: config.prices}), dbPath: config.dbPath}
}

export async function forecastOf(pipeline: Pipeline, dbPath: string, opts: {model?: string; runModel?: string; prices: PriceTable}): Promise<Estimate> {
  return estimate(pipeline, await historyFacts(dbPath), opts)
}

const range = (s: Spread, f: (n: number) => string) => (s.median === s.p90 ? f(s.median) : `${f(s.median)} (p90 ${f(s.p90)})`)

/** The forecast as text: a line per step and model, then the total. */
export function formatEstimate(e: Estimate): string {
  const out = [`Estimate for ${e.pipeline}, from ${e.runs} recorded run${e.runs === 1 ? '' : 's'} (median, and the 90th percentile where it differs):`]
  if (e.runs === 0) out.push('  no history: no run of this pipeline is recorded in this database yet.')
  const width = Math.max(4, ...e.steps.map(s => s.id.length + (s.loop ? 2 : 0)))
  for (const s of e.steps) {
    const name = `${s.loop ? '  ' : ''}${s.id}`.padEnd(width)
    const times = s.loop && s.used ? ` × ${range(s.times, n => n.toFixed(n % 1 ? 1 : 0))} iterations` : ''
    if (!s.used) {
      out.push(`  ${name}  no history${s.model ? ` (${s.model})` : ''}`)
      continue
    }
    const u = s.used
    const from = u.repricedFrom ? `, priced from ${u.repricedFrom}'s tokens` : ''
    out.push(`  ${name}  ${range(u.costUsd, dollars)}  ${range(u.durationMs, duration)}  ${range(u.tokens, count)} tokens  [${u.model}, ${u.runs} run${u.runs === 1 ? '' : 's'}${from}]${times}`)
    for (const m of s.models) if (m.model !== u.model) out.push(`  ${' '.repeat(width)}    also ${m.model}: ${range(m.costUsd, dollars)}, ${range(m.durationMs, duration)} (${m.runs} run${m.runs === 1 ? '' : 's'})`)
  }
  const t = e.total
  if (e.steps.some(s => s.used)) {
    out.push(`  ${'total'.padEnd(width)}  ${range(t.costUsd, dollars)}  ${range(t.durationMs, duration)}  ${range(t.tokens, count)} tokens${e.unknown.length ? `  (without ${e.unknown.join(', ')}: no history)` : ''}`)
    out.push('  The p90 total adds up each step\'s p90: a cautious upper figure.')
  }
  return out.join('\n')
}
