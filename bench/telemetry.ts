// Workload "otel": what OpenTelemetry export costs a run, through the real launcher. Off is the default
// and must cost nothing (workload 3 measures that start-up; here the same runs are timed side by side
// with telemetry on, exporting to a local OTLP/HTTP receiver that counts the spans it gets).
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {ADW, childEnv, interleaved, median, mustRun, pipelineYaml, progress, tempDir, writeFile} from './lib.js'
import {goal, ms, ratio, round, type WorkloadResult} from './report.js'

/** A receiver that answers 200 and counts spans (OTLP/JSON). */
async function receiver(): Promise<{url: string; spans: () => number; close: () => Promise<void>}> {
  let spans = 0
  const server = createServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    try {
      for (const rs of JSON.parse(body).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += (ss.spans ?? []).length
    } catch {
      // not JSON: not counted
    }
    res.writeHead(200, {'content-type': 'application/json'}).end('{}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans: () => spans, close: () => new Promise(r => server.close(() => r()))}
}

export async function telemetryOverhead(steps: number, reps: number): Promise<WorkloadResult> {
  progress(`telemetry: 1-step and ${steps}-step runs, off / on × ${reps}`)
  const dir = tempDir()
  const one = writeFile(join(dir, 'one.yaml'), pipelineYaml('one', 1, 'noop'))
  const many = writeFile(join(dir, 'many.yaml'), pipelineYaml('many', steps, 'noop'))
  const recv = await receiver()
  const off = childEnv()
  const on = childEnv({OTEL_EXPORTER_OTLP_ENDPOINT: recv.url})
  let n = 0
  const run = (file: string, env: NodeJS.ProcessEnv) => async () => (await mustRun(ADW, ['run', file, '--db', join(dir, `r${n++}.db`), '--quiet'], {env})).ms
  try {
    await run(one, off)()
    await run(one, on)()
    const before = recv.spans()
    const t = await interleaved({oneOff: run(one, off), oneOn: run(one, on), manyOff: run(many, off), manyOn: run(many, on)}, reps)
    const exported = recv.spans() - before
    const [oneOff, oneOn, manyOff, manyOn] = [median(t.oneOff), median(t.oneOn), median(t.manyOff), median(t.manyOn)]
    const perStep = (manyOn - oneOn - (manyOff - oneOff)) / (steps - 1)
    const expected = reps * (2 + (steps + 1))
    return {
      id: 'otel',
      title: 'telemetry on (OTLP/HTTP to 127.0.0.1)',
      rows: [
        {measure: '`adw run` of 1 noop step: off / on', value: `${ms(oneOff, 0)} / ${ms(oneOn, 0)} = ${ratio(oneOn / oneOff)}`},
        {measure: `\`adw run\` of ${steps} noop steps: off / on`, value: `${ms(manyOff, 0)} / ${ms(manyOn, 0)}`},
        {measure: 'added per step with telemetry on (slope)', value: `${perStep.toFixed(3)} ms`},
        goal('spans the receiver got (run + steps, every run)', `${exported} of ${expected}`, 'all', exported === expected),
      ],
      data: {steps, reps, samplesMs: t, medianMs: {oneOff: round(oneOff, 1), oneOn: round(oneOn, 1), manyOff: round(manyOff, 1), manyOn: round(manyOn, 1)}, perStepMs: round(perStep, 4), exported, expected},
    }
  } finally {
    await recv.close()
  }
}
