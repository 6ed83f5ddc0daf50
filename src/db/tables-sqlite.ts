/** TableDb on an SQLite file (see tables.ts). */
import {DatabaseSync, type SQLInputValue} from 'node:sqlite'

import {checkDatabasePath, openFailure} from '../store/file.js'
import {migrate} from '../store/schema.js'
import type {Row, Table, TableDb, TableWriter} from './tables.js'

const ORDER: Record<Table, string> = {runs: 'started_at, rowid', steps: 'id', approvals: 'id', agent_logs: 'id', recordings: 'id', worktrees: 'created_at, rowid', replays: 'created_at, rowid'}
/** Ids per IN (…) list: well under SQLite's limit of bound parameters. */
const CHUNK = 500

export function openSqliteTables(file: string, opts: {migrate: boolean; createParent: boolean}): TableDb {
  checkDatabasePath(file, {createParent: opts.createParent})
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file, {timeout: 10_000, enableForeignKeyConstraints: true})
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL')
    if (opts.migrate) migrate(db, file)
  } catch (error) {
    throw openFailure(file, error)
  }
  const all = (sql: string, ...params: SQLInputValue[]) => db.prepare(sql).all(...params) as Row[]
  const hasTables = () => all("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'runs'").length > 0
  const writer: TableWriter = {
    async insert(table, columns, rows, key) {
      if (rows.length === 0) return 0
      const stmt = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${key ? ` ON CONFLICT (${key}) DO NOTHING` : ''}`)
      let n = 0
      for (const row of rows) n += Number(stmt.run(...columns.map(c => row[c] as SQLInputValue)).changes)
      return n
    },
    async insertReturningIds(table, columns, rows) {
      const stmt = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      return rows.map(row => Number(stmt.run(...columns.map(c => row[c] as SQLInputValue)).lastInsertRowid))
    },
  }
  return {
    kind: 'sqlite',
    location: file,
    async version() {
      return (db.prepare('PRAGMA user_version').get() as {user_version: number}).user_version
    },
    async columns(table) {
      return all(`PRAGMA table_info(${table})`).map(r => String(r.name))
    },
    async count(table) {
      return hasTables() ? Number(all(`SELECT count(*) AS n FROM ${table}`)[0].n) : 0
    },
    async countsByRun(table) {
      return new Map(all(`SELECT adw_id, count(*) AS n FROM ${table} GROUP BY adw_id`).map(r => [String(r.adw_id), Number(r.n)]))
    },
    async ids(table) {
      return new Set(all(`SELECT DISTINCT adw_id FROM ${table}`).map(r => String(r.adw_id)))
    },
    async runOrder() {
      return all('SELECT adw_id FROM runs ORDER BY started_at, rowid').map(r => String(r.adw_id))
    },
    async rows(table, adwIds) {
      const out: Row[] = []
      for (let i = 0; i < adwIds.length; i += CHUNK) {
        const ids = adwIds.slice(i, i + CHUNK)
        out.push(...all(`SELECT * FROM ${table} WHERE adw_id IN (${ids.map(() => '?').join(', ')}) ORDER BY ${ORDER[table]}`, ...ids))
      }
      return out
    },
    async tx(fn) {
      db.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn(writer)
        db.exec('COMMIT')
        return result
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK')
        throw error
      }
    },
    async close() {
      db.close()
    },
  }
}
