/**
 * The Postgres store's entry, loaded only by dynamic import (src/store/open.ts) so that SQLite users
 * never load `pg`. Connects, migrates on first use, and returns the Store; a server that is down, a
 * refused password, a missing database or a bad URL is an AdwError (exit 2) naming the URL, masked.
 */
import {ChangeListener} from './changes.js'
import {connectionError, createPool, parseTarget, type PgTarget} from './connect.js'
import {Db} from './db.js'
import {migrate} from './schema.js'
import {PostgresStore, type PgStoreOptions} from './store.js'

export interface OpenPgOptions extends PgStoreOptions {
  /** Connections in the pool. @default 4 */
  poolSize?: number
  /** Apply pending migrations (false: only check the server answers; `adw db status`). @default true */
  migrate?: boolean
}

/** Connects to `url` and opens (migrating it on first use) the Postgres store. */
export async function openPostgresStore(url: string, options: OpenPgOptions = {}): Promise<PostgresStore> {
  const target = parseTarget(url)
  const db = await connect(target, options.poolSize ?? 4)
  try {
    await migrate(db.pool, target.schema, target.masked)
  } catch (error) {
    await db.pool.end().catch(() => {})
    throw connectionError(target, error)
  }
  return new PostgresStore(db, target.masked, new ChangeListener(target), options)
}

/** A pool that has answered one query (so a wrong URL fails here, with what to do). */
export async function connect(target: PgTarget, poolSize = 4): Promise<Db> {
  const pool = createPool(target, poolSize)
  try {
    await pool.query('SELECT 1')
  } catch (error) {
    await pool.end().catch(() => {})
    throw connectionError(target, error)
  }
  return new Db(pool)
}

export {parseTarget} from './connect.js'
export {PG_SCHEMA_VERSION, pendingVersions, schemaVersion} from './schema.js'
export type {PostgresStore} from './store.js'
