// `npm run bench [-- --quick] [--only 1,3] [--ns 100,1000] [--out file.json] [--peers]`: adw's performance goals
// (issue 8), measured on this machine: medians of several runs, ratios taken in the same run. `--peers` adds the
// `peers` workload (Mastra and LangGraph.js on the same steps, installed into bench/peers/ on first use); it never
// runs by default nor with --quick. Just the peers: `--only peers` (same as `--only peers --peers`).
// Workload 9 (adw ui in Debian's Chromium) runs in the full bench, or with `--only 9` (small with --quick); so does `queue`
// (4 adw workers drain 400 queued runs from PostgreSQL, 20 with --quick).
import {cpus, freemem, loadavg, totalmem} from 'node:os'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {coldStart, concurrent, history, peakRss} from './cli.js'
import {dashboard} from './dashboard.js'
import {chatty, engineOverhead, shellStep} from './engine.js'
import {dag, fanOut} from './graph.js'
import {evalOverhead} from './eval.js'
import {ADW, cleanup, NODE, progress, ROOT, writeFile} from './lib.js'
import {peers} from './peers.js'
import {postgresStore} from './postgres.js'
import {parallelPeers} from './peers-parallel.js'
import {queueDrain} from './queue.js'
import {replayBench} from './replay.js'
import {sandboxedBash} from './sandbox.js'
import {statsWorkload} from './stats.js'
import {telemetryOverhead} from './telemetry.js'
import {formatTable, tally, type WorkloadResult} from './report.js'

const {values} = parseArgs({
  options: {
    quick: {type: 'boolean', default: false},
    only: {type: 'string'},
    out: {type: 'string'},
    ns: {type: 'string'},
    peers: {type: 'boolean', default: false},
  },
})
const quick = values.quick!
const only = values.only ? new Set(values.only.split(',').map(s => s.trim())) : undefined

/** Sizes: the full bench (a few minutes) and the smoke test the suite runs (seconds). */
const P = quick
  ? {ns: [10, 30, 100], engineReps: () => 1, shellSteps: 3, shellReps: 1, coldReps: 1, history: {runs: 100, runsWithLogs: 10, logsPerRun: 1000}, historyReps: 1, chattyLines: 5000, chattyReps: 1, procs: 3, procSteps: 20, singleReps: 1, rssSteps: 50, rssReps: 1, bashCalls: 5}
  : {ns: [100, 1000, 10_000], engineReps: (n: number) => (n >= 10_000 ? 3 : n >= 1000 ? 5 : 7), shellSteps: 20, shellReps: 5, coldReps: 41, history: {runs: 10_000, runsWithLogs: 1000, logsPerRun: 1000}, historyReps: 25, chattyLines: 100_000, chattyReps: 3, procs: 8, procSteps: 500, singleReps: 3, rssSteps: 1000, rssReps: 3, bashCalls: 50}

// `--ns 100,1000` overrides workload 1's sizes (e.g. to measure an old commit that is quadratic).
if (values.ns) P.ns = values.ns.split(',').map(Number)

const started = new Date()
const load = loadavg()[0]
const workloads: Array<[string, () => Promise<WorkloadResult>]> = [
  ['1', () => engineOverhead(P.ns, P.engineReps)],
  ['2', () => shellStep(P.shellSteps, P.shellReps)],
  ['3', () => coldStart(P.coldReps)],
  ['4', () => history(P.history, P.historyReps)],
  ['5', () => chatty(P.chattyLines, P.chattyReps)],
  ['6', () => concurrent(P.procs, P.procSteps, P.singleReps)],
  ['7', () => peakRss(P.rssSteps, P.rssReps)],
  ['8', () => sandboxedBash(P.bashCalls)],
  ['10', () => fanOut(8, quick ? 200 : 1000, quick ? 1 : 5)],
  ['11', () => dag(quick ? 100 : 1000, quick ? 1 : 5)],
  ['12', () => statsWorkload(quick ? 1000 : 10_000, quick ? 1 : 7)],
  ['eval', () => evalOverhead(quick ? {cases: 2, repeat: 1, delayMs: 5} : {cases: 5, repeat: 4, delayMs: 40})],
  ['replay', () => (quick ? replayBench(5, 40, 1) : replayBench(50, 2000, 3))],
]
// 9 drives a browser (Debian's Chromium): the full bench, or `--only 9` (also with --quick, at a small size).
if (!quick || only?.has('9')) workloads.push(['9', () => dashboard(quick ? {runs: 1000, logRows: 10_000} : {runs: 10_000, logRows: 100_000}, quick ? 2 : 7)])
// pg (the Postgres store beside SQLite; needs a server, ADW_BENCH_PG_URL): the full bench, or `--only pg` (small with --quick).
if (!quick || only?.has('pg')) workloads.push(['pg', () => postgresStore(quick ? {small: 20, big: 100, lines: 5000} : {small: 100, big: 1000, lines: 50_000}, quick ? 1 : 5)])
// otel (telemetry on, to a local receiver): the full bench, or `--only otel`.
if (!quick || only?.has('otel')) workloads.push(['otel', () => telemetryOverhead(quick ? 20 : 1000, quick ? 1 : 9)])
// queue (adw worker processes drain queued runs from PostgreSQL): the full bench, or `--only queue`.
if (!quick || only?.has('queue')) workloads.push(['queue', () => queueDrain(quick ? 20 : 400)])
if ((values.peers || only?.has('peers')) && !quick) workloads.push(['peers', () => peers([100, 1000], 5)])
if ((values.peers || only?.has('peers-parallel')) && !quick) workloads.push(['peers-parallel', () => parallelPeers(8, 1000, 3)])
else if (values.peers) progress('peers: not run with --quick')

if (!existsSync(join(ROOT, 'dist/commands'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (bin/adw runs the compiled CLI)')
  process.exit(2)
}

const results: WorkloadResult[] = []
try {
  for (const [id, run] of workloads) {
    if (only && !only.has(id)) continue
    results.push(await run())
  }
} finally {
  cleanup()
}

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model,
  memTotalGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  memFreeGiB: Number((freemem() / 2 ** 30).toFixed(1)),
  loadAvg1mAtStart: Number(load.toFixed(2)),
  node: process.version,
  nodePath: NODE,
  platform: `${process.platform}-${process.arch}`,
}
const {met, missed} = tally(results)
const elapsedS = (Date.now() - started.getTime()) / 1000
console.log(`adw bench ${quick ? '(quick) ' : ''}${started.toISOString()} · ${machine.nproc} cores · load ${machine.loadAvg1mAtStart} · node ${machine.node} · ${ADW}`)
console.log(formatTable(results))
console.log(`goals met: ${met}, missed: ${missed} · ${elapsedS.toFixed(0)} s`)

const stamp = started.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
const out = values.out ?? join(ROOT, 'bench/results', `${stamp}${quick ? '-quick' : ''}.json`)
writeFile(out, JSON.stringify({date: started.toISOString(), quick, machine, elapsedS, goals: {met, missed}, workloads: results}, null, 2) + '\n')
progress(`wrote ${out}`)
