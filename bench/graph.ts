// Engine v2 workloads (issue 15), in process like bench/engine.ts: a fan-out of sleeping steps (is the
// concurrency real?) and a random DAG of noop steps (what does scheduling a graph cost per step?).
import {join} from 'node:path'

import {runPipeline} from '../src/engine/run.js'
import {loadPipelineSource} from '../src/pipeline/load.js'
import {createRegistry} from '../src/plugins/registry.js'
import {openSqliteStore} from '../src/store/sqlite.js'
import {createReporter} from '../src/ui/index.js'
import {countRows} from './engine.js'
import {median, progress, tempDir, timed} from './lib.js'
import {goal, ms, round, type WorkloadResult} from './report.js'

const registry = createRegistry()
let runs = 0

/** Loads `yaml` and runs it once on a fresh database file; returns the run's wall time and its rows. */
async function runYaml(yaml: string, dir: string, name: string): Promise<{ms: number; rows: ReturnType<typeof countRows>}> {
  const pipeline = await loadPipelineSource(yaml, join(dir, `${name}.yaml`), {registry})
  const adwId = `bench-graph-${++runs}`
  const db = join(dir, `${adwId}.db`)
  const store = openSqliteStore(db)
  let status = ''
  const t = await timed(async () => {
    status = (await runPipeline({pipeline, adwId, inputs: {}, workingDir: dir, store, reporter: createReporter('silent'), env: {PATH: process.env.PATH}})).status
  })
  await store.close()
  if (status !== 'succeeded') throw new Error(`bench run ${adwId}: ${status}`)
  return {ms: t, rows: countRows(db, adwId)}
}

/** 10. forEach over `n` items, each a noop sleeping `sleepMs`, with concurrency `n`: the wall time is one sleep, plus overhead. */
export async function fanOut(n: number, sleepMs: number, reps: number): Promise<WorkloadResult> {
  progress(`fan-out: ${n} items sleeping ${sleepMs} ms, concurrency ${n}, × ${reps}`)
  const dir = tempDir()
  const yaml = `name: fan\nconcurrency: ${n}\nsteps:\n  - id: each\n    forEach: [${Array.from({length: n}, (_, i) => i).join(', ')}]\n    uses: noop\n    with: {sleepMs: ${sleepMs}}\n`
  const samples: number[] = []
  let rows
  for (let r = 0; r < reps; r++) {
    const run = await runYaml(yaml, dir, 'fan')
    samples.push(run.ms)
    rows = run.rows
  }
  const m = median(samples)
  const limit = sleepMs * 1.3
  return {
    id: '10',
    title: `fan-out, ${n} steps sleeping ${sleepMs / 1000} s`,
    rows: [
      goal(`wall time, concurrency ${n}`, ms(m, 0), `≤ ${ms(limit, 0)}`, m <= limit),
      {measure: 'sequential would take', value: ms(n * sleepMs, 0)},
      goal('item runs recorded', `${rows!.succeeded}/${n}`, 'none lost', rows!.succeeded === n),
    ],
    data: {items: n, sleepMs, samplesMs: samples, medianMs: round(m, 1), rows},
  }
}

/** A random DAG of `n` noop steps: each needs up to 3 earlier steps (the first few none). Seeded: the same graph every run. */
export function randomDag(n: number, seed = 42): string {
  let x = seed
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const lines = [`name: dag\nconcurrency: 64\nsteps:`]
  for (let i = 0; i < n; i++) {
    const needs = new Set<number>()
    const k = i === 0 ? 0 : Math.floor(rand() * 4)
    for (let j = 0; j < k; j++) needs.add(Math.floor(rand() * i))
    lines.push(`  - id: s${i}\n    needs: [${[...needs].map(j => `s${j}`).join(', ')}]\n    uses: noop`)
  }
  return lines.join('\n') + '\n'
}

/** 11. A random DAG of `n` noop steps: scheduling cost per step (the run's wall time ÷ n), every step recorded. */
export async function dag(n: number, reps: number): Promise<WorkloadResult> {
  progress(`dag: ${n} noop steps, random needs, × ${reps}`)
  const dir = tempDir()
  const yaml = randomDag(n)
  const samples: number[] = []
  let rows
  for (let r = 0; r < reps; r++) {
    const run = await runYaml(yaml, dir, 'dag')
    samples.push(run.ms)
    rows = run.rows
  }
  const perStep = median(samples) / n
  return {
    id: '11',
    title: `random DAG, ${n} noop steps`,
    rows: [
      {measure: 'run (load not counted)', value: ms(median(samples), 0)},
      goal('per step', `${perStep.toFixed(3)} ms`, '≤ 0.5 ms', perStep <= 0.5),
      goal('step runs recorded', `${rows!.succeeded}/${n}`, 'none lost', rows!.succeeded === n),
    ],
    data: {steps: n, samplesMs: samples, msPerStep: round(perStep), rows},
  }
}
