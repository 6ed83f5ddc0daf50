/**
 * Records what a run's model steps exchanged, for `adw replay` (adw.config.yaml `record:`): each
 * executor call of `ctx.record` becomes a `recordings` row, masked like every other row, within the
 * run's size cap; and the git commit the run started from, so a replay can start where it did.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import type {Pipeline} from '../pipeline/types.js'
import type {ExchangeRecord, ExecutorContext} from '../plugins/types.js'
import type {NewRecording} from '../store/types.js'
import type {Journal, StepRef} from './journal.js'

/** adw.config.yaml `record:`, resolved. */
export interface RecordSettings {
  /** @default true */
  enabled: boolean
  /** Most bytes of recordings one run process stores (requests and responses, after masking). @default DEFAULT_RECORD_MAX_BYTES */
  maxBytes: number
}

/** 25 MiB: a 50-turn agent step with large tool results stays well under it. */
export const DEFAULT_RECORD_MAX_BYTES = 25 * 1024 * 1024
export const DEFAULT_RECORD: RecordSettings = {enabled: true, maxBytes: DEFAULT_RECORD_MAX_BYTES}

/** The executors whose calls are recorded (and replayed). */
export const RECORDED_EXECUTORS = ['agent', 'claude-code']

export class Recorder {
  private used = 0
  private warned = false

  constructor(
    private readonly journal: Journal,
    private readonly settings: RecordSettings,
  ) {}

  /** The `ctx.record` of one step run. */
  forStep(rowId: number, ref: StepRef): NonNullable<ExecutorContext['record']> {
    return async (r: ExchangeRecord) => {
      const redact = this.journal.redact
      const at = {adwId: this.journal.adwId, stepRowId: rowId, stepId: ref.stepId, iteration: ref.iteration, itemIndex: ref.index ?? null, attempt: ref.attempt ?? 1, turn: r.turn}
      let row: NewRecording
      if (r.kind === 'messages') {
        const request = JSON.stringify(redact.value(r.request))
        const response = JSON.stringify(redact.value(r.response))
        row = {...at, kind: 'messages', requestHash: r.requestHash, request, response, bytes: Buffer.byteLength(request) + Buffer.byteLength(response)}
      } else {
        const transcript = redact.text(r.transcript)
        row = {...at, kind: 'transcript', response: transcript, bytes: Buffer.byteLength(transcript)}
      }
      const left = this.settings.maxBytes - this.used
      if (row.bytes! > left) {
        if (row.kind === 'transcript' && left > 0) row = cutTranscript(row, left)
        else return this.full(ref, r.turn)
      }
      this.used += row.bytes!
      await this.journal.record(row)
    }
  }

  /** Records the commit (and whether there were uncommitted changes) the working dir started from, when it is a git checkout. */
  async base(workingDir: string): Promise<void> {
    // Outside any checkout (an eval's fixture copy, a scratch folder) git would only say so, after
    // three processes that cost ~0.5 s of each run's start on a loaded machine.
    if (!insideGitCheckout(workingDir)) return
    const {tryGit} = await import('../worktrees/git.js')
    try {
      const [head, status] = await Promise.all([tryGit(workingDir, ['rev-parse', '--verify', '--quiet', 'HEAD']), tryGit(workingDir, ['status', '--porcelain', '--untracked-files=no'])])
      if (head.exitCode !== 0) return
      const top = await tryGit(workingDir, ['rev-parse', '--show-toplevel'])
      await this.journal.record({adwId: this.journal.adwId, kind: 'base', response: JSON.stringify({commit: head.stdout.trim(), dirty: status.exitCode === 0 && status.stdout.trim() !== '', repo: top.stdout.trim()})})
    } catch {
      // No git: a replay copies the folder as it is then.
    }
  }

  private full(ref: StepRef, turn: number): void {
    if (this.warned) return
    this.warned = true
    this.journal.log('WARNING', 'state_change', `Recording stopped at step ${ref.stepId}, call ${turn}: record.max_bytes (${this.settings.maxBytes} bytes) reached. adw replay of this run stops there; raise record.max_bytes in adw.config.yaml to record more.`, {maxBytes: this.settings.maxBytes}, ref.stepId, ref.iteration)
  }
}

/** The transcript's first lines that fit in `max` bytes, and a last line saying how much was left out. */
function cutTranscript(row: NewRecording, max: number): NewRecording {
  const marker = (n: number) => `\n${JSON.stringify({type: 'adw_truncated', omitted_bytes: n})}`
  const room = Math.max(0, max - 80)
  let text = Buffer.from(row.response).subarray(0, room).toString('utf8')
  text = text.slice(0, Math.max(0, text.lastIndexOf('\n')))
  const out = text + marker(row.bytes! - Buffer.byteLength(text))
  return {...row, response: out, bytes: Buffer.byteLength(out)}
}

/** Whether a pipeline has a step whose calls are recorded (else a run records no base either). */
export function recordsCalls(pipeline: Pipeline): boolean {
  return pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps : [s])).some(s => RECORDED_EXECUTORS.includes(s.executor.name))
}

/** Whether `dir` or a folder above it holds `.git` (git runs with GIT_DIR and its ceiling unset: this is where it looks). */
function insideGitCheckout(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true
    if (dirname(d) === d) return false
  }
}
