/** `adw db status` and `adw db migrate`: a store's schema version, what is pending, its row counts. */
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import {isStoreUrl} from '../store/url.js'
import {SCHEMA_VERSION} from '../store/schema.js'
import {openTables, shown, TABLES, type Table} from './tables.js'

export interface DbStatus {
  kind: 'sqlite' | 'postgres'
  /** As shown (password masked). */
  location: string
  /** False for an SQLite file not created yet. */
  exists: boolean
  /** The schema version found (0: no tables yet). */
  version: number
  /** The version this adw writes. */
  current: number
  /** Versions `adw db migrate` (or the first run) would apply. */
  pending: number[]
  rows: Record<Table, number>
}

const range = (from: number, to: number) => Array.from({length: Math.max(0, to - from)}, (_, i) => from + i + 1)

/** Reads the status without changing anything. */
export async function dbStatus(location: string): Promise<DbStatus> {
  const kind = isStoreUrl(location) ? 'postgres' : 'sqlite'
  const empty = Object.fromEntries(TABLES.map(t => [t, 0])) as Record<Table, number>
  if (kind === 'sqlite' && !existsSync(resolve(location))) {
    return {kind, location: shown(location), exists: false, version: 0, current: SCHEMA_VERSION, pending: range(0, SCHEMA_VERSION), rows: empty}
  }
  const db = await openTables(location, {migrate: false})
  try {
    const version = await db.version()
    const pending = kind === 'postgres' ? (await import('../store/postgres/schema.js')).pendingVersions(version) : range(version, SCHEMA_VERSION)
    const rows = {...empty}
    if (version > 0) for (const t of TABLES) rows[t] = await db.count(t)
    return {kind, location: db.location, exists: true, version, current: SCHEMA_VERSION, pending, rows}
  } finally {
    await db.close()
  }
}

/** Applies pending migrations (creating the SQLite file or the Postgres tables); returns the status before and after. */
export async function dbMigrate(location: string): Promise<{before: DbStatus; after: DbStatus}> {
  const before = await dbStatus(location)
  await (await openTables(location, {migrate: true, createParent: true})).close()
  return {before, after: await dbStatus(location)}
}

/** The lines `adw db status` prints. */
export function formatStatus(s: DbStatus): string[] {
  const schema = !s.exists
    ? `none yet: the file does not exist (the first adw run, or adw db migrate, creates it at version ${s.current})`
    : s.version === 0
      ? `none yet: no adw tables there (the first adw run, or adw db migrate, creates them at version ${s.current})`
      : s.pending.length
        ? `version ${s.version}; ${s.pending.length} migration${s.pending.length === 1 ? '' : 's'} pending (${s.pending.join(', ')}): adw db migrate applies them (the next adw run would too)`
        : s.version > s.current
          ? `version ${s.version}, newer than this adw (${s.current}): upgrade adw`
          : `version ${s.version}, up to date`
  return [
    `Database  ${s.location} (${s.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`,
    `Schema    ${schema}`,
    `Rows      ${TABLES.map(t => `${t} ${s.rows[t].toLocaleString('en-US')}`).join(' · ')}`,
  ]
}
