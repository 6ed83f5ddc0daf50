// Workloads through the real launcher (bin/adw → dist/), as a user starts it.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {countRows} from './engine.js'
import {buildHistoryDb, historyRunId, type HistoryDbShape} from './history-db.js'
import {ADW, interleaved, median, mustRun, NODE, pipelineYaml, progress, runChild, tempDir, writeFile} from './lib.js'
import {goal, ms, ratio, round, type WorkloadResult} from './report.js'

const adwTime = async (args: string[]) => (await mustRun(ADW, args)).ms

/** 3. Cold start: `adw --version` and a 1-step `adw run` against `node -e 0` on the pinned Node. */
export async function coldStart(reps: number): Promise<WorkloadResult & {versionMs: number}> {
  progress(`cold start × ${reps}`)
  const dir = tempDir()
  const one = writeFile(join(dir, 'one.yaml'), pipelineYaml('one', 1, 'noop'))
  const db = join(dir, 'cold.db')
  const run = () => adwTime(['run', one, '--db', db, '--quiet'])
  // The same run where users run it: in a project `adw scaffold` made (adw.config.yaml, .env.example).
  const project = join(dir, 'project')
  await mustRun(ADW, ['scaffold', project])
  const inProject = async () => (await mustRun(ADW, ['run', one, '--quiet'], {cwd: project})).ms
  // Warm the page cache and create the databases once; not counted.
  await mustRun(NODE, ['-e', '0'])
  await adwTime(['--version'])
  await run()
  await inProject()
  const t = await interleaved({node: async () => (await mustRun(NODE, ['-e', '0'])).ms, version: () => adwTime(['--version']), run, inProject}, reps)
  const [node, version, oneRun, projectRun] = [median(t.node), median(t.version), median(t.run), median(t.inProject)]
  return {
    id: '3',
    title: 'cold start',
    versionMs: version,
    rows: [
      {measure: '`node -e 0` (pinned Node)', value: ms(node, 0)},
      goal('`adw --version`', `${ms(version, 0)} = ${ratio(version / node)}`, '≤ 2.5× node', version / node <= 2.5),
      goal('`adw run` of 1 noop step', `${ms(oneRun, 0)} = ${ratio(oneRun / node)}`, '≤ 3.5× node', oneRun / node <= 3.5),
      {measure: 'the same in a scaffolded project (adw.config.yaml)', value: `${ms(projectRun, 0)} = ${ratio(projectRun / node)}`},
    ],
    data: {
      reps,
      samplesMs: t,
      medianMs: {node: round(node, 1), version: round(version, 1), run: round(oneRun, 1), projectRun: round(projectRun, 1)},
      ratios: {version: round(version / node, 2), run: round(oneRun / node, 2), projectRun: round(projectRun / node, 2)},
    },
  }
}

/** 4. `adw logs --limit 200` and `adw runs` on a large history, against `adw --version` timed alongside. */
export async function history(shape: HistoryDbShape, reps: number): Promise<WorkloadResult> {
  progress(`history db: ${shape.runs} runs, ${shape.runsWithLogs} × ${shape.logsPerRun} log rows`)
  const db = join(tempDir(), 'history.db')
  const built = buildHistoryDb(db, shape)
  const id = historyRunId(Math.floor(shape.runsWithLogs / 2))
  const logsArgs = ['logs', '--adw-id', id, '--limit', '200', '--db', db]
  const runsArgs = ['runs', '--db', db]
  // Check the answers once (not timed): 200 rows plus a header, 20 runs plus a header.
  const logsOut = (await mustRun(ADW, logsArgs, {capture: true})).stdout.trimEnd().split('\n')
  const runsOut = (await mustRun(ADW, runsArgs, {capture: true})).stdout.trimEnd().split('\n')
  progress(`history: logs / runs / --version × ${reps}`)
  const t = await interleaved({version: () => adwTime(['--version']), logs: () => adwTime(logsArgs), runs: () => adwTime(runsArgs)}, reps)
  const [version, logs, runs] = [median(t.version), median(t.logs), median(t.runs)]
  const logRows = shape.runsWithLogs * shape.logsPerRun
  return {
    id: '4',
    title: `history: ${logRows.toLocaleString('en')} log rows, ${shape.runs.toLocaleString('en')} runs`,
    rows: [
      {measure: `build the database (one transaction, not counted)`, value: ms(built.ms, 0)},
      {measure: '`adw --version` (same moment)', value: ms(version, 0)},
      goal('`adw logs --adw-id x --limit 200`', `${ms(logs, 0)} = ${ratio(logs / version)}`, '≤ 1.2× --version', logs / version <= 1.2),
      goal('`adw runs` (20 newest)', `${ms(runs, 0)} = ${ratio(runs / version)}`, '≤ 1.2× --version', runs / version <= 1.2),
      goal('lines printed (logs, runs)', `${logsOut.length}, ${runsOut.length}`, '201, 22', logsOut.length === 201 && runsOut.length === 22),
    ],
    data: {shape, logRows, buildMs: round(built.ms, 0), reps, samplesMs: t, medianMs: {version: round(version, 1), logs: round(logs, 1), runs: round(runs, 1)}, ratios: {logs: round(logs / version, 2), runs: round(runs / version, 2)}, linesPrinted: {logs: logsOut.length, runs: runsOut.length}},
  }
}

/** 6. `procs` concurrent `adw run` processes of `steps` noop steps on one database. */
export async function concurrent(procs: number, steps: number, singleReps: number): Promise<WorkloadResult> {
  progress(`concurrency: 1 run, then ${procs} concurrent runs of ${steps} steps`)
  const dir = tempDir()
  const file = writeFile(join(dir, 'p.yaml'), pipelineYaml('conc', steps, 'noop'))
  const singleDb = join(dir, 'single.db')
  const single: number[] = []
  for (let r = 0; r < singleReps; r++) single.push(await adwTime(['run', file, '--db', singleDb, '--adw-id', `single-${r}`, '--quiet']))
  const expected = countRows(singleDb, 'single-0')
  const db = join(dir, 'shared.db')
  const t0 = performance.now()
  const results = await Promise.all(Array.from({length: procs}, (_, i) => runChild(ADW, ['run', file, '--db', db, '--adw-id', `c-${i}`, '--quiet'])))
  const total = performance.now() - t0
  const failed = results.filter(r => r.code !== 0)
  const busy = results.filter(r => /locked|busy/i.test(r.stderr)).length
  const counts = results.map((_, i) => (existsSync(db) ? countRows(db, `c-${i}`) : {steps: 0, succeeded: 0, logs: 0, outputLogs: 0}))
  const short = counts.filter(c => c.steps !== steps || c.succeeded !== steps || c.logs !== expected.logs).length
  const one = median(single)
  return {
    id: '6',
    title: `${procs} concurrent runs × ${steps} steps`,
    rows: [
      {measure: 'one run alone', value: ms(one, 0)},
      {measure: `${procs} at once, wall time`, value: `${ms(total, 0)} = ${ratio(total / (procs * one))} of ${procs} × one`},
      goal('errors (exit ≠ 0, busy/locked)', `${failed.length}, ${busy}`, '0, 0', failed.length === 0 && busy === 0),
      goal('runs with every step and log row', `${procs - short}/${procs}`, `${procs}/${procs} (${expected.logs} log rows each)`, short === 0),
    ],
    data: {
      procs,
      steps,
      singleMs: single,
      medianSingleMs: round(one, 1),
      totalMs: round(total, 1),
      ratioToSerial: round(total / (procs * one), 3),
      exitCodes: results.map(r => r.code),
      stderr: failed.map(r => r.stderr.slice(-500)),
      expectedLogRows: expected.logs,
      rows: counts,
    },
  }
}

/** 7. Peak RSS of an `adw run` of `steps` noop steps (GNU time's maximum resident set size). */
export async function peakRss(steps: number, reps: number): Promise<WorkloadResult> {
  progress(`peak RSS: ${steps} steps × ${reps}`)
  const dir = tempDir()
  const file = writeFile(join(dir, 'p.yaml'), pipelineYaml('rss', steps, 'noop'))
  const db = join(dir, 'rss.db')
  const kb: number[] = []
  const gnuTime = existsSync('/usr/bin/time')
  for (let r = 0; r < reps; r++) {
    const args = ['run', file, '--db', db, '--adw-id', `rss-${r}`, '--quiet']
    if (gnuTime) {
      const out = join(dir, `time-${r}.txt`)
      await mustRun('/usr/bin/time', ['-f', '%M', '-o', out, ADW, ...args])
      kb.push(Number(readFileSync(out, 'utf8').trim().split('\n').at(-1)))
    } else {
      // Fallback: the process reports its own maxRSS at exit.
      const out = join(dir, `rss-${r}.txt`)
      const probe = writeFile(join(dir, 'probe.mjs'), `import {writeFileSync} from 'node:fs'\nprocess.on('exit', () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)))\n`)
      await mustRun(ADW, args, {env: {...process.env, NODE_OPTIONS: `--import=${probe}`}})
      kb.push(Number(readFileSync(out, 'utf8')))
    }
  }
  const mb = median(kb) / 1024
  const rows = countRows(db, 'rss-0')
  return {
    id: '7',
    title: `peak RSS, ${steps}-step run`,
    rows: [
      goal(`maximum resident set (${gnuTime ? '/usr/bin/time' : 'resourceUsage'})`, `${mb.toFixed(1)} MB`, '≤ 150 MB', mb <= 150),
      goal('steps recorded', `${rows.succeeded}/${steps}`, `${steps}/${steps}`, rows.succeeded === steps),
    ],
    data: {steps, reps, method: gnuTime ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS', samplesKb: kb, medianMb: round(mb, 1), rows},
  }
}
