/**
 * pg-boss, opened the way adw uses it: its tables in the queue's own schema, one pg-boss queue per
 * adw queue name, and a connection failure as a clear exit 2 with the URL's password masked.
 * Loaded lazily (pg-boss and pg are only imported by the commands that use the queue).
 */
import type {PgBoss, Queue} from 'pg-boss'

import {AdwError} from '../errors.js'
import {maskUrl, type QueueSettings} from './settings.js'

/** The payload of a queue job: only the run's id (everything else is in the store). */
export interface RunJob {
  adwId: string
  /** Why it was enqueued: a new run, or a run to continue (after an approval). */
  reason: 'start' | 'resume'
}

/** pg-boss queue names are adw's with a prefix, so other pg-boss users of the schema never clash. */
export const bossQueue = (name: string): string => `adw.${name}`

/** How long a run may hold its job at most (pg-boss caps expiry at 24 h); budgets (--max-minutes) bound runs in practice. */
const RUN_EXPIRY_SECONDS = 24 * 60 * 60

/**
 * Opens pg-boss. `worker`: supervises (fails the jobs of workers whose heartbeats stopped, so
 * another worker takes them) and registers in pg-boss's instance table; a client only sends.
 */
export async function openBoss(settings: QueueSettings, role: 'client' | 'worker'): Promise<PgBoss> {
  const {PgBoss} = await import('pg-boss')
  const worker = role === 'worker'
  const boss = new PgBoss({
    connectionString: settings.url,
    schema: settings.schema,
    application_name: worker ? 'adw worker' : 'adw',
    max: worker ? 4 : 2,
    connectionTimeoutMillis: 10_000,
    supervise: worker,
    schedule: false,
    superviseIntervalSeconds: Math.max(1, Math.round(settings.superviseSeconds)),
    monitorIntervalSeconds: Math.max(1, Math.round(settings.superviseSeconds)),
    registerInstance: worker,
    ...(worker ? {instanceName: 'adw-worker'} : {}),
    openTelemetry: {enabled: false},
  })
  // pg-boss reports pool and maintenance errors as events: without a listener they would crash the process.
  boss.on('error', error => {
    if (worker) process.stderr.write(`adw worker: queue error: ${(error as Error).message}\n`)
  })
  try {
    await boss.start()
  } catch (error) {
    await boss.stop({graceful: false, close: true}).catch(() => {})
    throw unreachable(settings, error)
  }
  return boss
}

/** Creates the adw queue (pg-boss queue and its lease settings) unless it exists. */
export async function ensureQueue(boss: PgBoss, settings: QueueSettings, name: string): Promise<void> {
  const options: Omit<Queue, 'name'> = {
    // At most one active job per run (singletonKey = adw id): two workers never hold one run.
    policy: 'singleton',
    heartbeatSeconds: Math.round(settings.heartbeatSeconds),
    expireInSeconds: RUN_EXPIRY_SECONDS,
    // Retries are for lost leases and hand-backs, not for failed runs (a failed run completes its job).
    retryLimit: 50,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 30,
  }
  const existing = await boss.getQueue(bossQueue(name))
  if (!existing) {
    try {
      await boss.createQueue(bossQueue(name), options)
    } catch (error) {
      // Two processes creating it at once: the other one won.
      if (!(await boss.getQueue(bossQueue(name)))) throw error
    }
  } else if (existing.heartbeatSeconds !== options.heartbeatSeconds) {
    await boss.updateQueue(bossQueue(name), {heartbeatSeconds: options.heartbeatSeconds})
  }
}

/** Enqueues one run; returns the job id. */
export async function sendRun(boss: PgBoss, name: string, job: RunJob): Promise<string> {
  const id = await boss.send(bossQueue(name), job, {singletonKey: job.adwId})
  if (!id) throw new Error(`the queue refused the job of run ${job.adwId}`)
  return id
}

/** A connection or start failure as exit 2: which URL (masked), what went wrong, what to do. */
export function unreachable(settings: QueueSettings, error: unknown): AdwError {
  const e = error as Error & {code?: string}
  const why = e.code === '3D000' ? 'the database does not exist' : e.code === 'ECONNREFUSED' ? 'nothing listens there (connection refused)' : e.message
  return new AdwError('CONFIG_INVALID', `Cannot reach the run queue at ${maskUrl(settings.url)} (schema ${settings.schema}): ${why}`, {
    suggestions: ['check ADW_QUEUE_URL (or the postgres:// store URL) and that PostgreSQL is up', 'createdb <name>  (when the database is missing)'],
    cause: error,
  })
}
