// Workload `pg`: the engine on the Postgres store beside SQLite, in the same run: per-step overhead
// (noop steps; slope between two N) and log rows/s (one chatty step), each on a fresh SQLite file and
// a fresh Postgres schema (dropped after). Needs a server (ADW_BENCH_PG_URL, default the test one).
import {join} from 'node:path'
import pg from 'pg'

import {runPipeline} from '../src/engine/run.js'
import {loadPipelineSource} from '../src/pipeline/load.js'
import type {Pipeline} from '../src/pipeline/types.js'
import {createRegistry} from '../src/plugins/registry.js'
import {openStore} from '../src/store/open.js'
import {createReporter} from '../src/ui/index.js'
import {median, pipelineYaml, progress, tempDir, timed} from './lib.js'
import {ms, ratio, round, type Row, type WorkloadResult} from './report.js'

const PG = process.env.ADW_BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test'
const registry = createRegistry()
let n = 0

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({connectionString: PG})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** One run on a fresh store of `kind`; its wall time and the rows another connection then sees. */
async function runOn(kind: 'sqlite' | 'postgres', pipeline: Pipeline, dir: string): Promise<{ms: number; steps: number; logs: number}> {
  const adwId = `pgbench-${++n}`
  const schema = `adw_bench_${process.pid}_${n}`
  const location = kind === 'sqlite' ? join(dir, `${adwId}.db`) : `${PG}?schema=${schema}`
  // Migrated before the clock starts: the first run of a new database pays it once, not per step.
  await (await openStore(location)).close()
  const store = await openStore(location)
  let outcome
  try {
    const t = await timed(async () => {
      outcome = await runPipeline({pipeline, adwId, inputs: {}, workingDir: dir, store, reporter: createReporter('silent'), env: {PATH: process.env.PATH}})
      await store.flush()
    })
    if (outcome!.status !== 'succeeded') throw new Error(`bench run ${adwId} on ${kind} ${outcome!.status}: ${outcome!.error}`)
    await store.close()
    const reader = await openStore(location)
    const steps = (await reader.listSteps(adwId)).filter(s => s.status === 'succeeded').length
    const logs = (await reader.queryLogs({adwId, type: 'output'})).length
    await reader.close()
    return {ms: t, steps, logs}
  } finally {
    await store.close()
    if (kind === 'postgres') await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  }
}

/** `pg`: per-step ms (slope small→big noop steps) and output rows/s, SQLite and Postgres side by side. */
export async function postgresStore(sizes: {small: number; big: number; lines: number}, reps: number): Promise<WorkloadResult> {
  const dir = tempDir()
  const load = (yaml: string, name: string) => loadPipelineSource(yaml, join(dir, `${name}.yaml`), {registry})
  const small = await load(pipelineYaml('pg-small', sizes.small, 'noop'), 'pg-small')
  const big = await load(pipelineYaml('pg-big', sizes.big, 'noop'), 'pg-big')
  const chatty = await load(pipelineYaml('pg-chatty', 1, 'noop', {logLines: sizes.lines}), 'pg-chatty')
  const rows: Row[] = []
  const data: Record<string, unknown> = {sizes, reps}
  const perStep: Record<string, number> = {}
  const rate: Record<string, number> = {}
  for (const kind of ['sqlite', 'postgres'] as const) {
    progress(`pg: ${kind}: ${sizes.small} and ${sizes.big} noop steps, ${sizes.lines} log lines × ${reps}`)
    const t = {small: [] as number[], big: [] as number[], chatty: [] as number[]}
    const lost: string[] = []
    for (let r = 0; r < reps; r++) {
      const a = await runOn(kind, small, dir)
      const b = await runOn(kind, big, dir)
      const c = await runOn(kind, chatty, dir)
      t.small.push(a.ms), t.big.push(b.ms), t.chatty.push(c.ms)
      if (a.steps !== sizes.small || b.steps !== sizes.big) lost.push(`steps ${a.steps}/${b.steps}`)
      if (c.logs !== sizes.lines) lost.push(`log rows ${c.logs}/${sizes.lines}`)
    }
    perStep[kind] = (median(t.big) - median(t.small)) / (sizes.big - sizes.small)
    rate[kind] = sizes.lines / (median(t.chatty) / 1000)
    rows.push({measure: `${kind}: per noop step (slope N=${sizes.small}→${sizes.big})`, value: ms(perStep[kind], 3)})
    rows.push({measure: `${kind}: log rows recorded per second (one step, ${sizes.lines.toLocaleString('en')} lines)`, value: `${Math.round(rate[kind]).toLocaleString('en')}/s`})
    rows.push({measure: `${kind}: rows recorded`, value: lost.length ? `short: ${lost.join(', ')}` : 'all'})
    data[kind] = {medianMs: {small: median(t.small), big: median(t.big), chatty: median(t.chatty)}, samplesMs: t, msPerStep: round(perStep[kind]), rowsPerSecond: Math.round(rate[kind]), lost}
  }
  rows.push({measure: 'postgres ÷ sqlite, per step', value: ratio(perStep.postgres / perStep.sqlite)})
  rows.push({measure: 'postgres ÷ sqlite, log rows/s', value: ratio(rate.postgres / rate.sqlite)})
  return {id: 'pg', title: 'Postgres store beside SQLite', rows, data}
}
