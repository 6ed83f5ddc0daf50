/**
 * The run queue in tests: a real PostgreSQL server (127.0.0.1:5432, trust auth, database `test`, or
 * ADW_TEST_PG_URL), one schema per test (dropped after), short lease timings, and `adw worker`
 * processes whose --json events the test reads. No server: the test fails, saying how to start one.
 */
import {execa, type ResultPromise} from 'execa'
import {DatabaseSync} from 'node:sqlite'
import pg from 'pg'

import {ADW, isolatedEnv} from './cli.js'
import {until} from './deadline.js'

export const PG_URL = process.env.ADW_TEST_PG_URL || 'postgres://root@127.0.0.1:5432/test'

export interface QueueSchema {
  schema: string
  /** Environment for every adw process of the test: the queue's URL and schema, short timings. */
  env: Record<string, string>
  /** SQL on the test database. */
  query(sql: string, params?: unknown[]): Promise<any[]>
  drop(): Promise<void>
}

/** A fresh schema for the queue; throws (the test fails loudly) when PostgreSQL cannot be reached. */
export async function queueSchema(): Promise<QueueSchema> {
  const client = new pg.Client({connectionString: PG_URL})
  try {
    await client.connect()
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${PG_URL} (${(error as Error).message}): the queue tests need a real server. Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`)
  }
  const schema = `adw_q_${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`
  return {
    schema,
    env: {
      ADW_QUEUE_URL: PG_URL,
      ADW_QUEUE_SCHEMA: schema,
      ADW_QUEUE_HEARTBEAT_SECONDS: '10',
      ADW_QUEUE_SUPERVISE_SECONDS: '1',
      ADW_QUEUE_POLL_SECONDS: '0.5',
      ADW_WORKER_PRESENCE_SECONDS: '0.5',
      ADW_HEARTBEAT_MS: '250',
    },
    query: async (sql, params) => (await client.query(sql, params as any[])).rows,
    drop: async () => {
      try {
        // A worker's connection may still hold a lock for a moment after it is killed.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            break
          } catch (error) {
            if (attempt >= 10 || !/deadlock|lock/.test((error as Error).message)) throw error
            await new Promise(r => setTimeout(r, 200))
          }
        }
      } finally {
        await client.end()
      }
    },
  }
}

export type WorkerEvent = {event: string; worker: string; adwId?: string; status?: string; attempt?: number; pid?: number; [k: string]: unknown}

export interface WorkerProcess {
  proc: ResultPromise
  pid: number
  events: WorkerEvent[]
  /** Waits for an event matching `pred` (past ones count). */
  waitFor(pred: (e: WorkerEvent) => boolean, what: string, ms?: number): Promise<WorkerEvent>
}

/** `adw worker --json ...` as a real subprocess; its events are collected as they come. */
export function startWorker(cwd: string, env: Record<string, string>, args: string[]): WorkerProcess {
  const proc = execa(ADW, ['worker', '--json', ...args], {cwd, env: {...isolatedEnv(), ...env}, extendEnv: true, reject: false, stdin: 'ignore', buffer: {stdout: false, stderr: true}, timeout: 170_000})
  const events: WorkerEvent[] = []
  let rest = ''
  proc.stdout!.setEncoding('utf8')
  proc.stdout!.on('data', (chunk: string) => {
    rest += chunk
    const lines = rest.split('\n')
    rest = lines.pop()!
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line))
  })
  return {
    proc,
    pid: proc.pid!,
    events,
    async waitFor(pred, what, ms = 60_000) {
      await until(() => events.some(pred), what, ms)
      return events.find(pred)!
    },
  }
}

/** Rows of a query on the run store (SQLite), read while workers write to it (waits out their locks). */
export function rows(db: string, sql: string, ...params: (string | number)[]): Record<string, any>[] {
  const conn = new DatabaseSync(db, {readOnly: true, timeout: 10_000})
  try {
    return conn.prepare(sql).all(...params) as Record<string, any>[]
  } finally {
    conn.close()
  }
}
