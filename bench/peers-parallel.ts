// `npm run bench -- --peers` (also `--only peers-parallel`): parallel branches on Mastra (`.parallel`) and
// LangGraph.js (N nodes from START, one superstep) against adw's forEach (workload 10), in the same run: N steps
// that each sleep, so the wall time says whether the branches really overlap and what each engine adds to it.
import {join} from 'node:path'

import {fanOut} from './graph.js'
import {median, NODE, progress, ROOT, runChild, tempDir} from './lib.js'
import {ensureInstalled} from './peers.js'
import {goal, ms, round, type Row, type WorkloadResult} from './report.js'

const DIR = join(ROOT, 'bench/peers')

async function runPeer(peer: 'mastra' | 'langgraph', n: number, sleepMs: number): Promise<number> {
  const env = {...process.env, MASTRA_TELEMETRY_DISABLED: '1', LANGSMITH_TRACING: 'false', LANGCHAIN_TRACING_V2: 'false', NODE_OPTIONS: ''}
  const r = await runChild(NODE, [join(DIR, `${peer}-parallel.mjs`), String(n), String(sleepMs), tempDir(`adw-bench-${peer}-`)], {cwd: DIR, env, capture: true})
  if (r.code !== 0) throw new Error(`${peer}-parallel.mjs exited ${r.code}: ${r.stderr.slice(-1500)}`)
  const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {runMs: number; succeeded: number}
  if (line.succeeded !== n) throw new Error(`${peer}-parallel.mjs: ${line.succeeded} of ${n} branches succeeded`)
  return line.runMs
}

export async function parallelPeers(n: number, sleepMs: number, reps: number): Promise<WorkloadResult> {
  const title = `peers, parallel: ${n} branches sleeping ${sleepMs / 1000} s`
  const why = await ensureInstalled()
  if (why) {
    progress(`peers-parallel: skipped: ${why}`)
    return {id: 'peers-parallel', title, rows: [{measure: 'skipped', value: why}], data: {skipped: why}}
  }
  const samples: Record<'adw' | 'mastra' | 'langgraph', number[]> = {adw: [], mastra: [], langgraph: []}
  for (let r = 0; r < reps; r++) {
    progress(`peers-parallel: rep ${r + 1}/${reps}`)
    samples.adw.push((await fanOut(n, sleepMs, 1)).data.medianMs as number)
    samples.mastra.push(await runPeer('mastra', n, sleepMs))
    samples.langgraph.push(await runPeer('langgraph', n, sleepMs))
  }
  const m = {adw: median(samples.adw), mastra: median(samples.mastra), langgraph: median(samples.langgraph)}
  const over = (x: number) => x - sleepMs
  const rows: Row[] = [
    {measure: `adw: forEach of ${n}, concurrency ${n} (each item a recorded step run)`, value: `${ms(m.adw, 0)} (+${ms(over(m.adw), 0)})`},
    {measure: `Mastra: .parallel of ${n} steps, LibSQL storage`, value: `${ms(m.mastra, 0)} (+${ms(over(m.mastra), 0)})`},
    {measure: `LangGraph.js: ${n} nodes from START, SQLite checkpointer`, value: `${ms(m.langgraph, 0)} (+${ms(over(m.langgraph), 0)})`},
    goal('adw: wall time', ms(m.adw, 0), `≤ ${ms(sleepMs * 1.3, 0)}`, m.adw <= sleepMs * 1.3),
  ]
  return {id: 'peers-parallel', title, rows, data: {branches: n, sleepMs, reps, samplesMs: samples, medianMs: {adw: round(m.adw, 1), mastra: round(m.mastra, 1), langgraph: round(m.langgraph, 1)}}}
}
