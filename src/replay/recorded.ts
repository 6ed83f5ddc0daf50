/**
 * A recorded run as a replay serves it: per step run (step, iteration, fan-out item) the requests
 * its calls made (rebuilt from their deltas), their hashes and the answers, from the latest execution
 * of that step (a retried or resumed step ran more than once); and the git commit the run started from.
 */
import type {RecordingRow} from '../store/types.js'
import {rebuild, type RequestDelta, type StableRequest} from './request.js'
import type {RecordedMessage} from './sse.js'

export interface RecordedStep {
  stepId: string
  iteration: number
  itemIndex?: number
  /** Calls of the agent executor, in order (index = turn - 1). */
  requests: StableRequest[]
  hashes: string[]
  responses: RecordedMessage[]
  /** Claude Code: the stream-json lines of each invocation, in order. */
  transcripts: string[]
}

export interface RecordedBase {
  commit: string
  dirty: boolean
  repo: string
}

export interface Recording {
  base?: RecordedBase
  steps: Map<string, RecordedStep>
  /** Recorded calls and transcripts (0: nothing to replay). */
  size: number
}

/** The key of a step run, as it appears in the replay server's URLs. */
export function stepKey(stepId: string, iteration: number, itemIndex?: number | null): string {
  return `${stepId}~${iteration}${itemIndex === undefined || itemIndex === null ? '' : `~${itemIndex}`}`
}

export function loadRecording(rows: RecordingRow[]): Recording {
  let base: RecordedBase | undefined
  const byKey = new Map<string, RecordingRow[]>()
  for (const row of rows) {
    if (row.kind === 'base') {
      base = JSON.parse(row.response) as RecordedBase
      continue
    }
    const key = stepKey(row.step_id ?? '', row.iteration, row.item_index)
    const list = byKey.get(key) ?? []
    list.push(row)
    byKey.set(key, list)
  }
  const steps = new Map<string, RecordedStep>()
  let size = 0
  for (const [key, list] of byKey) {
    // The step's latest execution: the last step row that recorded anything.
    const last = Math.max(...list.map(r => r.step_row_id ?? 0))
    const mine = list.filter(r => (r.step_row_id ?? 0) === last).sort((a, b) => a.turn - b.turn || a.id - b.id)
    const calls = mine.filter(r => r.kind === 'messages')
    const first = mine[0]
    steps.set(key, {
      stepId: first.step_id ?? '',
      iteration: first.iteration,
      ...(first.item_index !== null ? {itemIndex: first.item_index} : {}),
      requests: rebuild(calls.map(r => JSON.parse(r.request ?? '{"from":0,"messages":[]}') as RequestDelta)),
      hashes: calls.map(r => r.request_hash ?? ''),
      responses: calls.map(r => JSON.parse(r.response) as RecordedMessage),
      transcripts: mine.filter(r => r.kind === 'transcript').map(r => r.response),
    })
    size += mine.length
  }
  return {...(base ? {base} : {}), steps, size}
}

/** `6 agent calls, 1 Claude Code transcript`: what a recording holds, for the user. */
export function describeRecording(r: Recording): string {
  const steps = [...r.steps.values()]
  const calls = steps.reduce((n, s) => n + s.requests.length, 0)
  const transcripts = steps.reduce((n, s) => n + s.transcripts.length, 0)
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`
  return [calls ? plural(calls, 'recorded agent call') : '', transcripts ? plural(transcripts, 'Claude Code transcript') : ''].filter(Boolean).join(', ')
}
