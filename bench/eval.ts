// Workload eval (issue 21): `adw eval` of 40 trials (5 cases × 2 models × 4 repeats of a one-step agent
// pipeline) against the fake Messages API, concurrency 8, in process. What the eval adds around the steps
// (folders copied, runs opened and closed, checks, eval rows, the scheduler's idle slots) against the
// steps' own recorded time: the goal is ≤ 10% over it.
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'

import {runEval} from '../src/eval/index.js'
import {startFakeAnthropic, reply} from '../test/helpers/fake-anthropic.js'
import {progress, tempDir, timed, writeFile} from './lib.js'
import {goal, ms, round, type WorkloadResult} from './report.js'

const PIPELINE = `name: one-step
inputs:
  prompt: {type: string, required: true}
  model: {type: string}
steps:
  - id: work
    uses: agent
    with: {model: "{{inputs.model}}", tools: [Write], prompt: "{{inputs.prompt}}"}
`

export async function evalOverhead(opts: {cases: number; repeat: number; delayMs: number}): Promise<WorkloadResult> {
  const at8 = await measure({...opts, concurrency: 8})
  // The same eval one trial at a time: what the eval itself adds, without 8 runs sharing one event loop.
  const at1 = await measure({cases: opts.cases, repeat: 1, delayMs: opts.delayMs, concurrency: 1})
  const trials = at8.trials
  return {
    id: 'eval',
    title: `adw eval, ${trials} trials, concurrency 8`,
    rows: [
      {measure: 'eval wall time', value: ms(at8.wallMs, 0)},
      {measure: "sum of the steps' own time", value: ms(at8.stepMs, 0)},
      goal("trials' own time over their steps'", pct(at8.trialOverhead), '≤ 10%', at8.trialOverhead <= 0.1),
      {measure: "wall × 8 slots over the steps' time", value: pct(at8.slotOverhead)},
      {measure: `trials' time over steps', concurrency 1 (${at1.trials} trials)`, value: pct(at1.trialOverhead)},
      goal('trials passed', `${at8.passed + at1.passed}/${at8.trials + at1.trials}`, 'all', at8.ok && at1.ok),
    ],
    data: {delayMs: opts.delayMs, concurrency8: at8, concurrency1: at1},
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

async function measure(opts: {cases: number; repeat: number; delayMs: number; concurrency: number}) {
  const trials = opts.cases * 2 * opts.repeat
  progress(`eval: ${trials} trials (${opts.cases} cases × 2 models × ${opts.repeat}), concurrency ${opts.concurrency}, replies streamed with ${opts.delayMs} ms between events`)
  const fake = await startFakeAnthropic(req => {
    const last = req.body?.messages?.at(-1)?.content
    const answered = Array.isArray(last) && last.some((b: any) => b.type === 'tool_result')
    return answered ? reply.text('Done.', {delayMs: opts.delayMs}) : reply.tool('Write', {file_path: 'ok.txt', content: 'ok'}, undefined, {delayMs: opts.delayMs})
  })
  const dir = tempDir()
  writeFile(join(dir, 'adw.config.yaml'), 'prices:\n  model-a: {input: 1, output: 10}\n  model-b: {input: 2, output: 20}\n')
  writeFile(join(dir, 'pipelines/one-step.yaml'), PIPELINE)
  writeFile(join(dir, 'fixture/README.md'), '# tiny\n')
  const cases = Array.from({length: opts.cases}, (_, i) => `  - {id: c${i}, fixture: fixture, prompt: "write ok.txt (${i})", checks: [{file: ok.txt, contains: ok}]}`)
  const suite = writeFile(join(dir, 'suite.yaml'), `name: bench\npipelines: [one-step]\nmodels: [model-a, model-b]\nrepeat: ${opts.repeat}\nconcurrency: ${opts.concurrency}\ncases:\n${cases.join('\n')}\n`)
  const db = join(dir, 'eval.db')
  const saved = {key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL}
  process.env.ANTHROPIC_API_KEY = 'bench-key'
  process.env.ANTHROPIC_BASE_URL = fake.url
  let outcome
  let wallMs
  try {
    wallMs = await timed(async () => {
      outcome = await runEval({suite, cwd: dir, db})
    })
  } finally {
    process.env.ANTHROPIC_API_KEY = saved.key
    process.env.ANTHROPIC_BASE_URL = saved.url
    await fake.close()
  }
  const conn = new DatabaseSync(db, {readOnly: true})
  const stepMs = (conn.prepare('SELECT coalesce(sum(duration_ms), 0) AS s FROM steps').get() as {s: number}).s
  const trialRows = conn.prepare('SELECT started_at, finished_at, status FROM eval_runs').all() as Array<{started_at: string; finished_at: string; status: string}>
  conn.close()
  const trialMs = trialRows.reduce((s, r) => s + (Date.parse(r.finished_at) - Date.parse(r.started_at)), 0)
  const passed = trialRows.filter(r => r.status === 'passed').length
  // The eval's slots over its wall time, against the steps' own time: idle slots and per-trial work both count.
  const slotOverhead = (wallMs! * opts.concurrency) / stepMs - 1
  const trialOverhead = trialMs / stepMs - 1
  return {trials, wallMs: round(wallMs!, 1), stepMs, trialMs, slotOverhead: round(slotOverhead), trialOverhead: round(trialOverhead), passed, ok: passed === trials && outcome!.status === 'completed'}
}
