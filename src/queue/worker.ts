/**
 * `adw worker`: pulls run jobs from the queue (pg-boss `work()`, at most `concurrency` at once) and
 * executes each in a child process (child.ts). pg-boss holds the lease: the job's heartbeat is sent
 * while the child runs; a worker that dies stops heartbeating, its job is failed by any worker's
 * supervisor and retried, and the next worker resumes the run. The store's atomic claim refuses a
 * run another live process drives, so a run never executes twice at once.
 *
 * SIGTERM (or Ctrl-C): take no more jobs, let the running runs finish for up to `graceMs`, then hand
 * the rest back (their children stop; the runs are recorded interrupted and their jobs retried, so
 * another worker continues them), and exit 0. A second signal hands back at once.
 */
import {hostname} from 'node:os'
import type {Job} from 'pg-boss'

import {resolveConfig} from '../config.js'
import {openStore} from '../store/open.js'
import {bossQueue, ensureQueue, openBoss, type RunJob} from './boss.js'
import {startChild, type RunChild} from './child.js'
import {ensurePresenceTable, writePresence} from './presence.js'
import {queueSettings, type QueueSettings} from './settings.js'

export interface WorkerOptions {
  queue: string
  concurrency: number
  /** Every run works here (the worker's checkout) instead of the folder it was submitted from. */
  workingDir?: string
  db?: string
  cwd?: string
  /** How long SIGTERM lets running runs finish before handing them back. */
  graceMs: number
  /** One line per event (JSON with `json`). */
  write: (line: string) => void
  json?: boolean
  /** Stop taking jobs (SIGTERM, or a test). */
  stop: AbortSignal
  /** A second stop: hand back at once. */
  now: AbortSignal
}

type Event = {event: string; adwId?: string; [k: string]: unknown}

/** A run whose process crashed this many times (no result line) is recorded failed instead of retried again. */
const MAX_CRASHES = 5

export async function runWorker(opts: WorkerOptions): Promise<void> {
  const cwd = opts.cwd ?? process.cwd()
  const config = await resolveConfig({cwd, db: opts.db})
  const settings = queueSettings(config.env, config.dbPath)
  const id = `${hostname()}:${process.pid}`
  const say = (e: Event) => opts.write(opts.json ? JSON.stringify({time: new Date().toISOString(), worker: id, ...e}) : textOf(e))
  const boss = await openBoss(settings, 'worker')
  const children = new Map<string, RunChild>()
  let state: 'running' | 'stopping' = 'running'
  const presence = () =>
    writePresence(boss, settings.schema, {id, host: hostname(), pid: process.pid, queue: opts.queue, concurrency: opts.concurrency, state, runs: [...children.values()].map(c => ({adwId: c.adwId, since: c.since}))}).catch(() => {})
  try {
    await ensureQueue(boss, settings, opts.queue)
    await ensurePresenceTable(boss, settings.schema)
    await presence()
    const beat = setInterval(presence, settings.presenceSeconds * 1000)
    const handler = async ([job]: Job<RunJob>[]) => {
      const child = startChild({adwId: job.data.adwId, db: config.dbPath, workingDir: opts.workingDir, cwd: opts.workingDir ?? cwd, env: {...process.env, ADW_WORKER_ID: id}})
      children.set(child.adwId, child)
      void presence()
      say({event: 'run:take', adwId: child.adwId, queue: opts.queue, attempt: job.retryCount + 1, pid: child.pid})
      // pg-boss aborts the job's signal when this worker lost the lease (heartbeat lost, expired).
      const lost = () => child.handBack()
      job.signal.addEventListener('abort', lost, {once: true})
      if (opts.now.aborted) child.handBack()
      try {
        return await settle(child, config.dbPath, say, job.retryCount + 1)
      } finally {
        job.signal.removeEventListener('abort', lost)
        children.delete(child.adwId)
        void presence()
      }
    }
    await boss.work<RunJob>(bossQueue(opts.queue), {localConcurrency: opts.concurrency, batchSize: 1, pollingIntervalSeconds: settings.pollSeconds}, handler)
    say({event: 'worker:ready', queue: opts.queue, concurrency: opts.concurrency, schema: settings.schema})

    await aborted(opts.stop)
    state = 'stopping'
    void presence()
    say({event: 'worker:stopping', running: children.size, graceMs: opts.graceMs})
    await boss.offWork(bossQueue(opts.queue), {wait: false})
    const onNow = () => handBackAll(children)
    opts.now.addEventListener('abort', onNow, {once: true})
    const graceTimer = setTimeout(onNow, opts.graceMs)
    while (children.size > 0) await new Promise(r => setTimeout(r, 50))
    clearTimeout(graceTimer)
    clearInterval(beat)
    await writePresence(boss, settings.schema, {id, host: hostname(), pid: process.pid, queue: opts.queue, concurrency: opts.concurrency, state: 'stopped', runs: []}).catch(() => {})
    say({event: 'worker:stopped'})
  } finally {
    await boss.stop({graceful: true, close: true, timeout: 5000}).catch(() => {})
  }
}

function handBackAll(children: Map<string, RunChild>): void {
  for (const c of children.values()) c.handBack()
}

/**
 * Waits for the child and turns its end into the job's: returning completes the job, throwing fails
 * it (pg-boss retries it, with backoff, on any worker).
 */
async function settle(child: RunChild, dbPath: string, say: (e: Event) => void, attempt: number): Promise<{status: string}> {
  const {result, exitCode, signal, stderr} = await child.done
  const adwId = child.adwId
  if (child.handedBack) {
    await markInterrupted(dbPath, adwId, 'handed back by its worker (stopping, or its lease was lost); another worker continues it')
    say({event: 'run:handback', adwId})
    throw new Error(`run ${adwId} handed back`)
  }
  if (!result) {
    const tail = stderr.trim().split('\n').slice(-3).join('\n')
    say({event: 'run:crash', adwId, exitCode, signal, attempt, stderr: tail})
    // A crash that repeats is not a lost lease: after MAX_CRASHES the run is failed, not retried for ever.
    if (attempt >= MAX_CRASHES) {
      await markFailed(dbPath, adwId, `its process crashed ${attempt} times (last: exit ${exitCode ?? signal}${tail ? `: ${tail.split('\n').pop()}` : ''})`, true)
      return {status: 'failed'}
    }
    throw new Error(`the process of run ${adwId} ended without a result (exit ${exitCode ?? signal})`)
  }
  if (result.code === 'RUN_LOCKED') {
    say({event: 'run:locked', adwId, error: result.error})
    throw new Error(`run ${adwId} is driven by another live process; retried later`)
  }
  if (result.code) {
    // Refused for good (its pipeline no longer loads, a missing API key on this worker, ...): the
    // run is recorded failed with the reason, as a run that fails, so it does not wait forever.
    await markFailed(dbPath, adwId, result.error ?? result.code)
    say({event: 'run:refused', adwId, code: result.code, error: result.error})
    return {status: 'failed'}
  }
  say({event: result.skipped ? 'run:skip' : 'run:end', adwId, status: result.status, ...(result.error ? {error: result.error} : {})})
  return {status: result.status}
}

async function markInterrupted(dbPath: string, adwId: string, why: string): Promise<void> {
  const store = await openStore(dbPath)
  try {
    const run = await store.getRun(adwId)
    if (run && (run.status === 'running' || run.status === 'queued')) {
      store.log({adwId, level: 'WARNING', type: 'state_change', message: `Run ${why}`, details: {handedBack: true}})
      await store.setRunStatus(adwId, 'interrupted', {error: why})
    }
  } finally {
    await store.close()
  }
}

async function markFailed(dbPath: string, adwId: string, why: string, crashed = false): Promise<void> {
  const store = await openStore(dbPath)
  try {
    const run = await store.getRun(adwId)
    // A run whose process crashed is left `running` under a dead pid; one that never started is queued.
    if (run && (run.finished_at === null || run.status === 'queued') && (run.status !== 'running' || crashed)) {
      store.log({adwId, level: 'ERROR', type: 'milestone', message: `Run failed: a worker could not start it: ${why}`, details: {status: 'failed', error: why}})
      await store.finishRun(adwId, 'failed', why)
    }
  } finally {
    await store.close()
  }
}

const aborted = (signal: AbortSignal) => new Promise<void>(resolve => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), {once: true})))

function textOf(e: Event): string {
  const t = new Date().toISOString().slice(11, 19)
  switch (e.event) {
    case 'worker:ready':
      return `${t} worker ready: queue ${e.queue}, concurrency ${e.concurrency}`
    case 'run:take':
      return `${t} ${e.adwId}: taken (attempt ${e.attempt})`
    case 'run:end':
      return `${t} ${e.adwId}: ${e.status}${e.error ? ` (${e.error})` : ''}`
    case 'run:skip':
      return `${t} ${e.adwId}: nothing to do (run is ${e.status})`
    case 'run:handback':
      return `${t} ${e.adwId}: handed back (interrupted; another worker continues it)`
    case 'run:locked':
      return `${t} ${e.adwId}: another live process drives it; retried later`
    case 'run:refused':
      return `${t} ${e.adwId}: failed: ${e.error}`
    case 'run:crash':
      return `${t} ${e.adwId}: its process ended without a result (exit ${e.exitCode ?? e.signal}); retried${e.stderr ? `\n${e.stderr}` : ''}`
    case 'worker:stopping':
      return `${t} stopping: no new runs; waiting up to ${Math.round(Number(e.graceMs) / 1000)} s for ${e.running} running run(s), then handing them back`
    case 'worker:stopped':
      return `${t} worker stopped`
    default:
      return `${t} ${JSON.stringify(e)}`
  }
}

export type {QueueSettings}
