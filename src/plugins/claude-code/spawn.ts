import {createInterface} from 'node:readline'
import type {Readable} from 'node:stream'
import {killTree, startStepProcess} from '../process.js'
import type {ExecutorContext} from '../types.js'
import {StepFailure} from '../failures.js'
import {resultFailure, resultKind, usageLimitFailure} from './failure.js'
import {missingBinaryMessage, type BinaryChoice} from './options.js'
import {StreamParser, type ClaudeResult} from './stream.js'
import {clip} from './summary.js'

/** Lines of stderr quoted in a failure message. */
const STDERR_TAIL_LINES = 20
/** SIGTERM to the process group first; SIGKILL after this long. */
const KILL_GRACE_MS = 2000
/** How long an abort waits for the tree to die before rejecting anyway. */
const KILL_WAIT_MS = 3000

export interface Invocation {
  bin: string
  choice: BinaryChoice
  argv: string[]
  /** Extra environment variables for claude. */
  env?: Record<string, string>
  /** For usage rows when claude's init event names no model. */
  model?: string
  /** Which invocation of the step this is (1, then 2 for a corrective turn): its transcript's turn in the recording. @default 1 */
  call?: number
}

/**
 * Runs claude once in its own process group, feeding stdout lines to a StreamParser as they arrive.
 * Resolves with the successful result event; rejects with why it failed (the result's error, a refused
 * key the moment the stream shows it, the stderr tail), or with the abort reason once the whole
 * process tree is gone.
 */
export async function invoke(inv: Invocation, ctx: ExecutorContext): Promise<{result: ClaudeResult; sessionId?: string}> {
  const {CLAUDECODE: _nested, ...env} = ctx.env // claude refuses to start "inside another Claude Code session"
  ctx.log('DEBUG', 'state_change', `Starting ${inv.bin}`, {binary: inv.bin, source: inv.choice.source, args: inv.argv.slice(0, -1).map(a => clip(a, 200))})
  ctx.progress('starting claude')
  const {child} = await startStepProcess(inv.bin, inv.argv, {cwd: ctx.workingDir, env: {...env, ...inv.env, ADW_ID: ctx.adwId, ADW_STEP: ctx.stepId}})
  let live = true // no rows once the step has settled
  let stopped = false
  // A refused key is retried for minutes by claude itself: stop it at the first sign.
  const parser = new StreamParser({...ctx, log: (...a) => live && ctx.log(...a), progress: t => live && ctx.progress(t)}, inv.model, () => {
    stopped = true
    killTree(child, KILL_GRACE_MS)
  })
  const stderr: string[] = []
  const lines = async (stream: Readable | null, onLine: (l: string) => void) => {
    if (stream) for await (const l of createInterface({input: stream, crlfDelay: Infinity})) onLine(l)
  }
  // The stream-json transcript, kept for adw replay when the run records (ctx.record).
  // Its first line (not the CLI's) holds the prompt, which the CLI's own events never show.
  const transcript: string[] | undefined = ctx.record ? [JSON.stringify({type: 'adw_invocation', prompt: inv.argv.at(-1)})] : undefined
  const done = Promise.all([
    lines(child.stdout, l => {
      transcript?.push(l)
      parser.line(l)
    }),
    lines(child.stderr, l => {
      stderr.push(l)
      if (stderr.length > STDERR_TAIL_LINES) stderr.shift()
      if (live && l.trim()) ctx.log('DEBUG', 'output', `stderr: ${clip(l, 2000)}`)
    }),
    child,
  ])
  let onAbort = () => {}
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      killTree(child, KILL_GRACE_MS)
      const gone = child.then(() => undefined, () => undefined)
      void Promise.race([gone, new Promise(r => setTimeout(r, KILL_WAIT_MS).unref())]).then(() => reject(abortError(ctx.signal)))
    }
    if (ctx.signal.aborted) onAbort()
    else ctx.signal.addEventListener('abort', onAbort, {once: true})
  })
  let exit: Awaited<typeof child>
  try {
    ;[, , exit] = await Promise.race([done, aborted])
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
    live = false
    done.catch(() => {})
    aborted.catch(() => {})
    if (transcript && transcript.length > 1) await recordTranscript(ctx, inv.call ?? 1, transcript)
  }
  if (ctx.signal.aborted) throw abortError(ctx.signal) // the exit may win the race against the abort
  if (exit.code === 'ENOENT' || (exit.failed && exit.exitCode === undefined && !exit.signal)) {
    throw new StepFailure('invalid', `${missingBinaryMessage(inv.choice)} (could not start ${inv.bin}: ${exit.shortMessage ?? exit.message})`)
  }
  if (stopped && parser.fatal) throw new StepFailure('auth', parser.fatal) // the parser stops claude only for a refused key
  const r = parser.result
  // A rejected rate_limit_event says exactly when the usage limit resets: kind quota with that time.
  const limited = parser.usageLimit && (!r || resultFailure(r, parser.synthetic) !== undefined) ? usageLimitFailure(r, parser.usageLimit) : undefined
  if (limited) throw new StepFailure('quota', limited.message, {...(limited.resetAt ? {resetsAt: limited.resetAt} : {}), ...(limited.retryAfterMs !== undefined ? {retryAfterMs: limited.retryAfterMs} : {})})
  const failed = r && resultFailure(r, parser.synthetic)
  if (failed) {
    const {kind, ...typed} = resultKind(r, parser.synthetic)
    throw new StepFailure(kind, withStderr(failed, stderr), typed)
  }
  if (!r || exit.exitCode !== 0) throw new StepFailure('other', withStderr(failureMessage(r, exit.exitCode, exit.signal), stderr))
  return {result: r, sessionId: r.session_id ?? parser.sessionId}
}

/** The engine's reason when it is typed (a timeout), else a cancel. */
function abortError(signal: AbortSignal): Error {
  if (StepFailure.is(signal.reason)) return signal.reason
  return new StepFailure('cancelled', signal.reason instanceof Error ? signal.reason.message : 'claude was cancelled', {cause: signal.reason})
}

function failureMessage(r: ClaudeResult | undefined, exitCode: number | undefined, signal: string | undefined): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode ?? '?'}`
  return r ? `claude ${how} after its result: ${clip(r.result ?? '', 2000)}` : `claude ${how} without a result event`
}

function withStderr(msg: string, stderr: string[]): string {
  const tail = stderr.filter(l => l.trim())
  return tail.length ? `${msg}\nstderr (last ${tail.length} lines):\n${tail.join('\n')}` : msg
}

/** Hands the invocation's stream-json lines to the run's recording; a failure to record never fails the step. */
async function recordTranscript(ctx: ExecutorContext, turn: number, lines: string[]): Promise<void> {
  try {
    await ctx.record!({kind: 'transcript', turn, transcript: lines.join('\n')})
  } catch (error) {
    ctx.log('WARNING', 'error', `Could not record the Claude Code transcript for adw replay: ${(error as Error).message}`)
  }
}
