// `npm run bench -- --only peers --peers`: the same trivial N-step workload on Mastra (workflow + LibSQL storage)
// and LangGraph.js (StateGraph + SQLite checkpointer), against adw measured in the same run (issue 8).
// The peers live in bench/peers/ with their own package.json and lock, installed on first use with
// `npm ci --prefix bench/peers`; they are never dependencies of adw. Each peer run is a fresh child process on
// the pinned Node and a fresh database file; the script prints one JSON line (bench/peers/*.mjs).
import {existsSync} from 'node:fs'
import {delimiter, dirname, join} from 'node:path'

import {peakRss} from './cli.js'
import {engineOverhead} from './engine.js'
import {median, mustRun, NODE, progress, ROOT, runChild, tempDir} from './lib.js'
import {goal, ms, round, type Row, type WorkloadResult} from './report.js'

const DIR = join(ROOT, 'bench/peers')

/** What bench/peers/<peer>.mjs prints. */
interface PeerLine {
  peer: string
  steps: number
  importMs: number
  buildMs: number
  runMs: number
  peakRssMiB: number
  rowsOrCheckpoints: Record<string, unknown>
}

interface Peer {
  id: 'mastra' | 'langgraph'
  name: string
  imports: string
  /** Whether what the run left in its database file proves every step was recorded. */
  durable: (line: PeerLine) => boolean
  /** The read-back, in a few words. */
  recorded: (line: PeerLine) => string
}

const PEERS: Peer[] = [
  {
    id: 'mastra',
    name: 'Mastra',
    imports: '@mastra/core, @mastra/libsql, zod',
    durable: ({steps, rowsOrCheckpoints: r}) => r.snapshotRows === 1 && r.stepsRecorded === steps && r.status === 'success' && (r.snapshotWrites as number) >= steps,
    recorded: ({rowsOrCheckpoints: r}) => `${r.snapshotWrites} snapshot writes → 1 row, ${r.stepsRecorded} steps in it`,
  },
  {
    id: 'langgraph',
    name: 'LangGraph.js',
    imports: '@langchain/langgraph, …-checkpoint-sqlite',
    durable: ({steps, rowsOrCheckpoints: r}) => (r.checkpoints as number) >= steps + 1 && r.lastStep === steps && r.lastValue === steps,
    recorded: ({rowsOrCheckpoints: r}) => `${r.checkpoints} checkpoint rows, ${r.writes} write rows`,
  },
]

/** The environment of the installer: the pinned Node first on PATH, and its headers for node-gyp (better-sqlite3). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, PATH: `${dirname(NODE)}${delimiter}${process.env.PATH ?? ''}`}
  // The `node` package ships the headers of the Node it pins; node-gyp would otherwise download them.
  const headers = join(ROOT, 'node_modules/node/node_modules', `node-${process.platform}-${process.arch}`)
  if (existsSync(join(headers, 'include/node/node_api.h'))) env.npm_config_nodedir = headers
  return env
}

/** Installs bench/peers on first use; undefined when ready, else why not. */
export async function ensureInstalled(): Promise<string | undefined> {
  const loads = async () => (await runChild(NODE, ['-e', "new (require('better-sqlite3'))(':memory:').close(); import('@mastra/core'); import('@langchain/langgraph')"], {cwd: DIR})).code === 0
  const have = ['@mastra/core', '@mastra/libsql', '@langchain/langgraph', '@langchain/langgraph-checkpoint-sqlite'].every(p => existsSync(join(DIR, 'node_modules', p, 'package.json')))
  try {
    if (!have) {
      progress('peers: installing bench/peers (`npm ci --prefix bench/peers`; better-sqlite3 may build from source, a minute or two)')
      await mustRun('npm', ['ci', '--prefix', DIR, '--no-audit', '--no-fund'], {env: npmEnv()})
    }
    if (!(await loads())) {
      // Installed by another Node (a different ABI): rebuild the native module for the pinned one.
      progress('peers: rebuilding better-sqlite3 for the pinned Node')
      await mustRun('npm', ['rebuild', 'better-sqlite3', '--prefix', DIR], {env: npmEnv()})
      if (!(await loads())) return `better-sqlite3 does not load on ${NODE} after a rebuild`
    }
  } catch (error) {
    return `could not install the peers (${(error as Error).message.split('\n')[0].slice(0, 300)}); run \`npm ci --prefix bench/peers\` with the pinned Node first on PATH and npm_config_nodedir at its headers (see bench/peers.ts)`
  }
  return undefined
}

async function runPeer(peer: Peer, n: number): Promise<PeerLine & {wallMs: number}> {
  const dir = tempDir(`adw-bench-${peer.id}-`)
  const env = {...process.env, MASTRA_TELEMETRY_DISABLED: '1', LANGSMITH_TRACING: 'false', LANGCHAIN_TRACING_V2: 'false', NODE_OPTIONS: ''}
  const r = await runChild(NODE, [join(DIR, `${peer.id}.mjs`), String(n), dir], {cwd: DIR, env, capture: true})
  if (r.code !== 0) throw new Error(`${peer.id}.mjs ${n} exited ${r.code}: ${r.stderr.slice(-1500)}`)
  const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as PeerLine
  return {...line, wallMs: r.ms}
}

/** Mastra and LangGraph.js at each N (medians of `reps`, runs interleaved), adw at the same N in the same run. */
export async function peers(ns: number[], reps: number): Promise<WorkloadResult> {
  const title = 'peers: Mastra, LangGraph.js vs adw'
  const why = await ensureInstalled()
  if (why) {
    progress(`peers: skipped: ${why}`)
    return {id: 'peers', title, rows: [{measure: 'skipped', value: why}], data: {skipped: why}}
  }
  const [small, big] = [ns[0], ns.at(-1)!]

  // Interleaved (rep × [adw, N × peer]) so load on the shared machine hits adw and the peers alike: adw's engine
  // overhead of noop steps (workload 1's measure, in process) and the peak RSS of a `big`-step `adw run`
  // (workload 7's), each peer at each N in a fresh process, and `node -e 0` for scale.
  const adwRunMs: Record<number, number[]> = Object.fromEntries(ns.map(n => [n, []]))
  const adwRssKb: number[] = []
  const lines: Record<string, Record<number, Array<PeerLine & {wallMs: number}>>> = Object.fromEntries(PEERS.map(p => [p.id, Object.fromEntries(ns.map(n => [n, []]))]))
  const nodeMs: number[] = []
  for (let r = 0; r < reps; r++) {
    progress(`peers: rep ${r + 1}/${reps}: adw, ${PEERS.map(p => p.id).join(', ')} at N=${ns.join(', ')}`)
    const engine = await engineOverhead(ns, () => 3) // cheap (well under a second), and steadier than 1
    for (const n of ns) adwRunMs[n].push((engine.data.medianMs as Record<number, number>)[n])
    adwRssKb.push(...((await peakRss(big, 1)).data.samplesKb as number[]))
    nodeMs.push((await mustRun(NODE, ['-e', '0'])).ms)
    for (const n of ns) for (const p of PEERS) lines[p.id][n].push(await runPeer(p, n))
  }
  const adwMedian = Object.fromEntries(ns.map(n => [n, median(adwRunMs[n])]))
  const adwSlope = (adwMedian[big] - adwMedian[small]) / (big - small)
  const adwRssMiB = median(adwRssKb) / 1024

  const rows: Row[] = [{measure: '`node -e 0` (pinned Node)', value: ms(median(nodeMs), 0)}]
  const summary: Record<string, unknown> = {}
  const perStepRatios: number[] = []
  for (const p of PEERS) {
    const at = (n: number, k: 'importMs' | 'runMs' | 'peakRssMiB' | 'wallMs') => median(lines[p.id][n].map(l => l[k]))
    const slope = (at(big, 'runMs') - at(small, 'runMs')) / (big - small)
    const importMs = median(ns.flatMap(n => lines[p.id][n].map(l => l.importMs)))
    const rssMiB = at(big, 'peakRssMiB')
    const lost = ns.flatMap(n => lines[p.id][n]).filter(l => !p.durable(l)).length
    perStepRatios.push(slope / adwSlope)
    rows.push(
      {measure: `${p.name}: import ${p.imports}; whole process, N=${small}`, value: `${ms(importMs, 0)}; ${ms(at(small, 'wallMs'), 0)}`},
      {measure: `${p.name}: run, N=${ns.join(' / ')}`, value: ns.map(n => ms(at(n, 'runMs'), 0)).join(' / ')},
      {measure: `${p.name}: per step, slope N=${small}→${big}`, value: `${ms(slope, 2)} = ${(slope / adwSlope).toFixed(0)}× adw`},
      {measure: `${p.name}: peak RSS, ${big} steps (whole process)`, value: `${rssMiB.toFixed(0)} MiB = ${(rssMiB / adwRssMiB).toFixed(1)}× adw`},
      {measure: `${p.name}: recorded in the file, N=${big}`, value: lost ? `${lost} run(s) short` : p.recorded(lines[p.id][big][0])},
    )
    summary[p.id] = {
      importMs: round(importMs, 1),
      runMs: Object.fromEntries(ns.map(n => [n, round(at(n, 'runMs'), 1)])),
      wallMs: Object.fromEntries(ns.map(n => [n, round(at(n, 'wallMs'), 1)])),
      msPerStep: round(slope),
      perStepRatioToAdw: round(slope / adwSlope, 1),
      peakRssMiB: Object.fromEntries(ns.map(n => [n, round(at(n, 'peakRssMiB'), 1)])),
      peakRssRatioToAdw: round(rssMiB / adwRssMiB, 2),
      runsNotDurablyRecorded: lost,
      samples: lines[p.id],
    }
  }
  const worst = Math.min(...perStepRatios)
  rows.push(
    {measure: `adw: per step, slope N=${small}→${big} (engine, noop, workload 1)`, value: ms(adwSlope, 3)},
    {measure: `adw: peak RSS, ${big}-step \`adw run\` (workload 7)`, value: `${adwRssMiB.toFixed(0)} MiB`},
    goal('per-step overhead, nearest peer ÷ adw', `${worst.toFixed(0)}×`, '≥ 20×', worst >= 20),
  )
  return {
    id: 'peers',
    title,
    rows,
    data: {
      ns,
      reps,
      nodeMs,
      adw: {medianMs: adwMedian, samplesMs: adwRunMs, msPerStep: round(adwSlope), peakRssMiB: round(adwRssMiB, 1), peakRssSamplesKb: adwRssKb},
      ...summary,
    },
  }
}
