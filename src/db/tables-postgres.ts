/** TableDb on a Postgres schema (see tables.ts). */
import type pg from 'pg'

import {connectionError, parseTarget} from '../store/postgres/connect.js'
import {connect} from '../store/postgres/index.js'
import {migrate, schemaVersion} from '../store/postgres/schema.js'
import type {Row, Table, TableDb, TableWriter} from './tables.js'

const ORDER: Record<Table, string> = {runs: 'started_at, adw_id', steps: 'id', approvals: 'id', agent_logs: 'id', recordings: 'id', worktrees: 'created_at, adw_id', replays: 'created_at, adw_id'}
/** Bound parameters per INSERT: Postgres allows 65,535. */
const MAX_PARAMS = 30_000

export async function openPgTables(url: string, migrateFirst: boolean): Promise<TableDb> {
  const target = parseTarget(url)
  const db = await connect(target, 2)
  const pool = db.pool
  try {
    if (migrateFirst) await migrate(pool, target.schema, target.masked)
  } catch (error) {
    await pool.end().catch(() => {})
    throw connectionError(target, error)
  }
  const version = () => schemaVersion(pool, target.schema)
  const rows = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows as Row[]
  const writerOn = (client: pg.PoolClient): TableWriter => ({
    async insert(table, columns, list, key) {
      let n = 0
      const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length))
      for (let i = 0; i < list.length; i += per) {
        const chunk = list.slice(i, i + per)
        const values: unknown[] = []
        const tuples = chunk.map(row => `(${columns.map(c => (values.push(row[c] ?? null), `$${values.length}`)).join(', ')})`)
        const result = await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}${key ? ` ON CONFLICT (${key}) DO NOTHING` : ''}`, values)
        n += result.rowCount ?? 0
      }
      return n
    },
    async insertReturningIds(table, columns, list) {
      const text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`
      const ids: number[] = []
      for (const row of list) ids.push(Number((await client.query({name: `adw_copy_${table}_${columns.length}`, text, values: columns.map(c => row[c] ?? null)})).rows[0].id))
      return ids
    },
  })
  return {
    kind: 'postgres',
    location: target.masked,
    version,
    async columns(table) {
      return (await rows('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [target.schema, table])).map(r => String(r.column_name))
    },
    async count(table) {
      return (await version()) === 0 ? 0 : Number((await rows(`SELECT count(*) AS n FROM ${table}`))[0].n)
    },
    async countsByRun(table) {
      return new Map((await rows(`SELECT adw_id, count(*) AS n FROM ${table} GROUP BY adw_id`)).map(r => [String(r.adw_id), Number(r.n)]))
    },
    async ids(table) {
      return new Set((await rows(`SELECT DISTINCT adw_id FROM ${table}`)).map(r => String(r.adw_id)))
    },
    async runOrder() {
      return (await rows('SELECT adw_id FROM runs ORDER BY started_at, adw_id')).map(r => String(r.adw_id))
    },
    async rows(table, adwIds) {
      return rows(`SELECT * FROM ${table} WHERE adw_id = ANY($1::text[]) ORDER BY ${ORDER[table]}`, [adwIds])
    },
    async tx(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(writerOn(client))
        await client.query('COMMIT')
        client.release()
        return result
      } catch (error) {
        const broken = await client.query('ROLLBACK').then(() => undefined, (e: Error) => e)
        client.release(broken)
        throw error
      }
    },
    async close() {
      await pool.end()
    },
  }
}
