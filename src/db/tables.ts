/**
 * Table-level access to a store's database for `adw db` (status, copy): the same few operations on
 * an SQLite file (node:sqlite) and a Postgres schema (pg), below the Store, which speaks in runs and
 * steps. Opening migrates (as the Store does on first use) unless `migrate: false`.
 */
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import {AdwError} from '../errors.js'
import {isStoreUrl, maskLocation} from '../store/url.js'

export type Row = Record<string, unknown>

/** adw's tables, parents before children. */
export const TABLES = ['runs', 'steps', 'approvals', 'agent_logs', 'recordings', 'worktrees', 'replays'] as const
export type Table = (typeof TABLES)[number]

export interface TableDb {
  kind: 'sqlite' | 'postgres'
  /** As shown to the user (a URL's password masked). */
  location: string
  /** The schema version (0: no tables yet). */
  version(): Promise<number>
  /** The column names of a table, in order. */
  columns(table: Table): Promise<string[]>
  count(table: Table): Promise<number>
  /** Row counts of `table` per adw_id. */
  countsByRun(table: Table): Promise<Map<string, number>>
  /** Every value of a column (adw_id of runs, worktrees, agent_logs), distinct. */
  ids(table: Table): Promise<Set<string>>
  /** The rows of `table` for these runs, in id order (runs: in start order). */
  rows(table: Table, adwIds: string[]): Promise<Row[]>
  /** The runs in start order, ids only. */
  runOrder(): Promise<string[]>
  /** `fn` in one transaction. */
  tx<T>(fn: (w: TableWriter) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface TableWriter {
  /** Inserts the rows (only `columns`); with `onConflictKey`, a row whose key exists is skipped. Returns how many were inserted. */
  insert(table: Table, columns: string[], rows: Row[], onConflictKey?: string): Promise<number>
  /** Inserts the rows one by one; returns the id the target gave each, in order. */
  insertReturningIds(table: Table, columns: string[], rows: Row[]): Promise<number[]>
}

/**
 * Opens the database at `location` (file path or postgres:// URL). `mustExist`: a missing SQLite
 * file is an AdwError (a source, a status) rather than created.
 */
export async function openTables(location: string, opts: {mustExist?: boolean; migrate?: boolean; createParent?: boolean} = {}): Promise<TableDb> {
  if (isStoreUrl(location)) {
    const {openPgTables} = await import('./tables-postgres.js')
    return openPgTables(location, opts.migrate ?? true)
  }
  const file = resolve(location)
  if (opts.mustExist && !existsSync(file)) {
    throw new AdwError('DATABASE_INVALID', `No database at ${file}: nothing has been recorded there yet.`, {
      suggestions: ['check the path (adw db copy --from takes the SQLite file, e.g. .adw/orchestrator.db, or a postgres:// URL)'],
    })
  }
  const {openSqliteTables} = await import('./tables-sqlite.js')
  return openSqliteTables(file, {migrate: opts.migrate ?? true, createParent: opts.createParent ?? false})
}

/** The location as shown to a user. */
export const shown = (location: string): string => (isStoreUrl(location) ? maskLocation(location) : resolve(location))
