// In-process workloads: runPipeline with the silent reporter and a real SQLite file per run.
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'
import {execa} from 'execa'

import {runPipeline} from '../src/engine/run.js'
import {loadPipelineSource} from '../src/pipeline/load.js'
import type {Pipeline} from '../src/pipeline/types.js'
import {createRegistry} from '../src/plugins/registry.js'
import {openSqliteStore} from '../src/store/sqlite.js'
import {createReporter} from '../src/ui/index.js'
import {median, pipelineYaml, progress, tempDir, timed} from './lib.js'
import {goal, ms, ratio, round, type Row, type WorkloadResult} from './report.js'

const registry = createRegistry()

async function load(yaml: string, dir: string, name: string): Promise<Pipeline> {
  return loadPipelineSource(yaml, join(dir, `${name}.yaml`), {registry})
}

let runCount = 0
/** One run on a fresh database file; returns its wall time and the row counts it left. */
async function runOnce(pipeline: Pipeline, dir: string): Promise<{ms: number; db: string; adwId: string}> {
  const adwId = `bench-${++runCount}`
  const db = join(dir, `${adwId}.db`)
  const store = openSqliteStore(db)
  let outcome
  const t = await timed(async () => {
    outcome = await runPipeline({pipeline, adwId, inputs: {}, workingDir: dir, store, reporter: createReporter('silent'), env: {PATH: process.env.PATH}})
  })
  await store.close()
  if (outcome!.status !== 'succeeded') throw new Error(`bench run ${adwId} ${outcome!.status}: ${outcome!.error}`)
  return {ms: t, db, adwId}
}

/** Row counts of one run, read with a separate connection (what another process would see). */
export function countRows(db: string, adwId: string): {steps: number; succeeded: number; logs: number; outputLogs: number} {
  const conn = new DatabaseSync(db, {readOnly: true})
  try {
    const one = (sql: string) => (conn.prepare(sql).get(adwId) as {n: number}).n
    return {
      steps: one('SELECT count(*) AS n FROM steps WHERE adw_id = ?'),
      succeeded: one("SELECT count(*) AS n FROM steps WHERE adw_id = ? AND status = 'succeeded'"),
      logs: one('SELECT count(*) AS n FROM agent_logs WHERE adw_id = ?'),
      outputLogs: one("SELECT count(*) AS n FROM agent_logs WHERE adw_id = ? AND log_type = 'output'"),
    }
  } finally {
    conn.close()
  }
}

/** 1. Engine overhead per noop step at several N; per-step cost = slope between N's. */
export async function engineOverhead(ns: number[], reps: (n: number) => number): Promise<WorkloadResult> {
  const dir = tempDir()
  const medians: Record<number, number> = {}
  const samples: Record<number, number[]> = {}
  const loadMs: Record<number, number> = {}
  const counts: Record<number, ReturnType<typeof countRows>> = {}
  for (const n of ns) {
    progress(`engine: ${n} noop steps × ${reps(n)}`)
    let pipeline!: Pipeline
    loadMs[n] = await timed(async () => (pipeline = await load(pipelineYaml(`noop-${n}`, n, 'noop'), dir, `noop-${n}`)))
    samples[n] = []
    for (let r = 0; r < reps(n); r++) {
      const run = await runOnce(pipeline, dir)
      samples[n].push(run.ms)
      counts[n] = countRows(run.db, run.adwId)
    }
    medians[n] = median(samples[n])
  }
  const rows: Row[] = ns.map(n => ({measure: `N=${n}: run (load ${ms(loadMs[n], 0)} not counted)`, value: `${ms(medians[n], 0)} = ${(medians[n] / n).toFixed(3)} ms/step`}))
  const slopes: Array<{from: number; to: number; msPerStep: number}> = []
  for (let i = 1; i < ns.length; i++) {
    const [a, b] = [ns[i - 1], ns[i]]
    slopes.push({from: a, to: b, msPerStep: (medians[b] - medians[a]) / (b - a)})
  }
  for (const s of slopes) rows.push(goal(`per step, slope N=${s.from}→${s.to}`, `${s.msPerStep.toFixed(3)} ms`, '≤ 0.25 ms', s.msPerStep <= 0.25))
  const [big, small] = [ns.at(-1)!, ns.at(-2)]
  const flat = small === undefined ? Number.NaN : medians[big] / big / (medians[small] / small)
  if (small !== undefined) rows.push(goal(`flat: ms/step at N=${big} ÷ at N=${small}`, ratio(flat), '≤ 1.5×', flat <= 1.5))
  const lost = ns.filter(n => counts[n].steps !== n || counts[n].succeeded !== n || counts[n].logs < 2 * n)
  rows.push(goal('rows recorded (steps = N, ≥ 2 log rows/step)', lost.length ? `short at N=${lost.join(',')}` : 'all', 'none lost', lost.length === 0))
  return {
    id: '1',
    title: 'engine overhead, noop steps',
    rows,
    data: {
      ns,
      medianMs: medians,
      samplesMs: samples,
      loadMs,
      msPerStep: Object.fromEntries(ns.map(n => [n, round(medians[n] / n)])),
      slopes: slopes.map(s => ({...s, msPerStep: round(s.msPerStep)})),
      flatRatio: round(flat, 3),
      rows: counts,
    },
  }
}

/** 2. A shell step vs a bare execa call of the same command (per step, over a pipeline of k steps). */
export async function shellStep(k: number, reps: number): Promise<WorkloadResult> {
  progress(`shell: ${k} steps of \`echo x\` vs execa × ${reps}`)
  const dir = tempDir()
  const pipeline = await load(pipelineYaml('shell', k, 'shell', {run: 'echo x'}), dir, 'shell')
  const adw: number[] = []
  const bare: number[] = []
  let counts
  for (let r = 0; r < reps; r++) {
    bare.push(
      (await timed(async () => {
        // stdin as the executor has it: execa's default stdin pipe costs ~100 ms a call when the bench's own stdin is /dev/null
        for (let i = 0; i < k; i++) await execa('bash', ['-c', 'echo x'], {stdin: 'ignore'})
      })) / k,
    )
    const run = await runOnce(pipeline, dir)
    adw.push(run.ms / k)
    counts = countRows(run.db, run.adwId)
  }
  const [a, b] = [median(adw), median(bare)]
  return {
    id: '2',
    title: 'shell step vs bare execa',
    rows: [
      {measure: 'bare execa("bash", ["-c", "echo x"], {stdin: "ignore"})', value: ms(b, 2)},
      {measure: 'adw shell step `echo x`', value: ms(a, 2)},
      goal('shell step ÷ bare execa', ratio(a / b), '≤ 1.2×', a / b <= 1.2),
      goal('output rows recorded', `${counts!.outputLogs}/${k}`, 'none lost', counts!.outputLogs === k && counts!.succeeded === k),
    ],
    data: {steps: k, reps, adwMsPerStep: adw, bareMsPerCall: bare, medianAdwMs: round(a), medianBareMs: round(b), ratio: round(a / b, 3), rows: counts},
  }
}

/** 5. One step logging `lines` rows (noop logLines): rows/s recorded, none lost. */
export async function chatty(lines: number, reps: number): Promise<WorkloadResult> {
  progress(`chatty: ${lines} log lines × ${reps}`)
  const dir = tempDir()
  const pipeline = await load(pipelineYaml('chatty', 1, 'noop', {logLines: lines}), dir, 'chatty')
  const times: number[] = []
  const outputs: number[] = []
  for (let r = 0; r < reps; r++) {
    const run = await runOnce(pipeline, dir)
    times.push(run.ms)
    outputs.push(countRows(run.db, run.adwId).outputLogs)
  }
  const t = median(times)
  const rate = lines / (t / 1000)
  const lost = outputs.filter(n => n !== lines).length
  return {
    id: '5',
    title: `chatty step, ${lines.toLocaleString('en')} log lines`,
    rows: [
      {measure: 'whole run', value: ms(t, 0)},
      goal('rows recorded per second', `${Math.round(rate).toLocaleString('en')}/s`, '≥ 100,000/s', rate >= 100_000),
      goal('output rows in agent_logs', outputs.map(n => n.toLocaleString('en')).join(', '), `${lines.toLocaleString('en')} each run`, lost === 0),
    ],
    data: {lines, reps, samplesMs: times, medianMs: round(t, 1), rowsPerSecond: Math.round(rate), outputRows: outputs},
  }
}
