import {PassThrough} from 'node:stream'
import {setTimeout as sleep} from 'node:timers/promises'
import type {EngineEvent, OutlineStep, Reporter} from '../../src/engine/events.js'
import type {Usage} from '../../src/plugins/types.js'

type StepEnd = Extract<EngineEvent, {type: 'step:end'}>

/** Builds an engine event sequence the way the engine emits it, with steadily increasing times. */
export class Script {
  readonly events: EngineEvent[] = []
  private t = Date.parse('2026-11-24T10:00:00.000Z')
  private totals = {inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0}
  private ms = 0

  constructor(readonly adwId = 'feat-42') {}

  private time(): string {
    return new Date((this.t += 5)).toISOString()
  }

  start(outline: OutlineStep[]): this {
    this.events.push({type: 'run:start', adwId: this.adwId, pipeline: 'demo', workingDir: '/tmp/w', db: '/tmp/w/orchestrator.db', outline, time: this.time()})
    return this
  }

  /** step:start, progress lines, step:end (only step:end for a skip). */
  step(stepId: string, o: {iteration?: number; parentId?: string; status?: StepEnd['status']; durationMs?: number; usage?: Usage; error?: string; reason?: string; progress?: string[]} = {}): this {
    const iteration = o.iteration ?? 0
    const status = o.status ?? 'succeeded'
    const base = {adwId: this.adwId, stepId, iteration}
    if (status !== 'skipped') {
      this.events.push({type: 'step:start', ...base, executor: 'noop', parentId: o.parentId, time: this.time()})
      for (const text of o.progress ?? []) this.events.push({type: 'step:progress', ...base, text, time: this.time()})
    }
    const durationMs = status === 'skipped' ? 0 : (o.durationMs ?? 1000)
    this.ms += durationMs
    if (o.usage) for (const k of Object.keys(this.totals) as Array<keyof typeof this.totals>) this.totals[k] += o.usage[k] ?? 0
    this.events.push({type: 'step:end', ...base, parentId: o.parentId, status, durationMs, usage: o.usage, error: o.error, reason: o.reason, time: this.time()})
    return this
  }

  loopStart(stepId: string, maxAttempts: number): this {
    this.events.push({type: 'loop:start', adwId: this.adwId, stepId, maxAttempts, time: this.time()})
    return this
  }

  iteration(stepId: string, iteration: number, maxAttempts: number): this {
    this.events.push({type: 'loop:iteration', adwId: this.adwId, stepId, iteration, maxAttempts, time: this.time()})
    return this
  }

  loopEnd(stepId: string, iterations: number, outcome: Extract<EngineEvent, {type: 'loop:end'}>['outcome'], reason?: string): this {
    this.events.push({type: 'loop:end', adwId: this.adwId, stepId, iterations, outcome, reason, time: this.time()})
    return this
  }

  log(stepId: string, level: string, message: string): this {
    this.events.push({type: 'log', adwId: this.adwId, stepId, level, logType: 'milestone', message, time: this.time()})
    return this
  }

  end(status: Extract<EngineEvent, {type: 'run:end'}>['status'] = 'succeeded', error?: string): this {
    this.events.push({type: 'run:end', adwId: this.adwId, status, durationMs: this.ms + 300, totals: {...this.totals}, error, time: this.time()})
    return this
  }
}

/** A stream that records what was written to it. */
export function capture(): {stream: PassThrough; text: () => string} {
  const stream = new PassThrough()
  let buf = ''
  stream.setEncoding('utf8')
  stream.on('data', (d: string) => (buf += d))
  return {stream, text: () => buf}
}

/** Feeds the events to the reporter: all at once (the engine running ahead of the view), or one per macrotask. */
export async function feed(reporter: Reporter, events: EngineEvent[], paced = false): Promise<void> {
  for (const e of events) {
    reporter.onEvent(e)
    if (paced) await sleep(1)
  }
  await reporter.close()
}

// eslint-disable-next-line no-control-regex
export const plain = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
export const lines = (s: string): string[] => plain(s).split('\n').map(l => l.trimEnd()).filter(Boolean)

export const FIX_LOOP: OutlineStep = {id: 'fix_loop', loop: {maxAttempts: 3, steps: [{id: 'fix', uses: 'agent'}, {id: 'rereview', uses: 'agent'}]}}
export const OUTLINE: OutlineStep[] = [{id: 'plan', uses: 'agent'}, {id: 'build', uses: 'agent'}, {id: 'review', uses: 'agent'}, FIX_LOOP]
