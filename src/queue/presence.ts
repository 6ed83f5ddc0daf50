/**
 * Which worker holds which runs, for `adw queue`: one row per worker process (id host:pid) in the
 * queue's schema, refreshed every few seconds with the runs it executes now. pg-boss owns the
 * leases; this table only shows them (a worker that stops refreshing is shown as lost).
 */
import type {PgBoss} from 'pg-boss'

export interface WorkerRow {
  id: string
  host: string
  pid: number
  queue: string
  concurrency: number
  started_at: string
  seen_at: string
  /** `running`, `stopping` (SIGTERM: finishing its runs), `stopped`. */
  state: 'running' | 'stopping' | 'stopped'
  /** The runs it executes now: adw id and since when. */
  runs: Array<{adwId: string; since: string}>
}

const table = (schema: string) => `"${schema}".adw_workers`

export async function ensurePresenceTable(boss: PgBoss, schema: string): Promise<void> {
  try {
    await createPresenceTable(boss, schema)
  } catch (error) {
    // Workers starting together race on CREATE TABLE IF NOT EXISTS (a duplicate type or table): one won.
    const code = (error as {code?: string}).code
    if (code !== '23505' && code !== '42P07') throw error
  }
}

async function createPresenceTable(boss: PgBoss, schema: string): Promise<void> {
  await boss.getDb().executeSql(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    id          text PRIMARY KEY,
    host        text NOT NULL,
    pid         integer NOT NULL,
    queue       text NOT NULL,
    concurrency integer NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now(),
    state       text NOT NULL,
    runs        jsonb NOT NULL DEFAULT '[]'
  )`)
}

export async function writePresence(boss: PgBoss, schema: string, w: Omit<WorkerRow, 'started_at' | 'seen_at'>): Promise<void> {
  await boss.getDb().executeSql(
    `INSERT INTO ${table(schema)} (id, host, pid, queue, concurrency, state, runs) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
     ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, concurrency = excluded.concurrency, state = excluded.state, runs = excluded.runs, seen_at = now()`,
    [w.id, w.host, w.pid, w.queue, w.concurrency, w.state, JSON.stringify(w.runs)],
  )
}

/** Workers seen within `sinceSeconds` (stopped ones only if they stopped within it). */
export async function listPresence(boss: PgBoss, schema: string, sinceSeconds = 3600): Promise<WorkerRow[]> {
  const exists = await boss.getDb().executeSql('SELECT to_regclass($1) AS t', [`"${schema}".adw_workers`])
  if (!exists.rows[0]?.t) return []
  const {rows} = await boss.getDb().executeSql(
    `SELECT id, host, pid, queue, concurrency, started_at, seen_at, state, runs FROM ${table(schema)}
     WHERE seen_at > now() - make_interval(secs => $1) ORDER BY queue, host, pid`,
    [sinceSeconds],
  )
  return rows.map(r => ({...r, started_at: iso(r.started_at), seen_at: iso(r.seen_at)}))
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v))
