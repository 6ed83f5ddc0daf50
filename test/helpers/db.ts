import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'

/** Rows of a query on a run's database, opened read-only. */
export function rows(db: string, sql: string, ...params: (string | number)[]): Record<string, any>[] {
  const conn = new DatabaseSync(db, {readOnly: true})
  try {
    return conn.prepare(sql).all(...params) as Record<string, any>[]
  } finally {
    conn.close()
  }
}

/** `sqlite3 <db> <sql>` exactly as a user would type it (output trimmed). */
export function sqlite3(db: string, sql: string): string {
  return execFileSync('sqlite3', [db, sql], {encoding: 'utf8'}).trim()
}

/** Every step run as `id#iteration:status`, in the order they started. */
export const stepRuns = (db: string): string[] =>
  rows(db, 'SELECT step_id, iteration, status FROM steps ORDER BY id').map(r => `${r.step_id}#${r.iteration}:${r.status}`)

/** The database file and its WAL/SHM companions, as one buffer, for secret scans. */
export function dbBytes(db: string): Buffer {
  return Buffer.concat(
    ['', '-wal', '-shm'].map(s => {
      try {
        return readFileSync(db + s)
      } catch {
        return Buffer.alloc(0)
      }
    }),
  )
}
