/**
 * The PostgreSQL server the tests use (127.0.0.1:5432, trust auth, database `test`; ADW_TEST_PG_URL
 * overrides it). Each test gets its own schema (`?schema=` in the URL adw takes) and drops it: a
 * schema costs a few ms where a database costs a second. No server is a loud failure, never a skip:
 * .ci/run starts one.
 */
import {randomBytes} from 'node:crypto'
import pg from 'pg'

export const PG_BASE = process.env.ADW_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test'

let checked: Promise<void> | undefined

/** Throws, saying how to start it, when no server answers at PG_BASE. */
export function requirePostgres(): Promise<void> {
  checked ??= psql('SELECT 1').then(
    () => undefined,
    error => {
      throw new Error(
        `No PostgreSQL server answers at ${PG_BASE} (${(error as Error).message}): the Postgres tests need one. ` +
          'Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set ADW_TEST_PG_URL).',
      )
    },
  )
  return checked
}

/** Runs SQL on the test database (its own short-lived connection). */
export async function psql<R extends pg.QueryResultRow = any>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({connectionString: PG_BASE, connectionTimeoutMillis: 5000})
  await client.connect()
  try {
    return (await client.query<R>(sql, values)).rows
  } finally {
    await client.end()
  }
}

/** A fresh schema name and the store URL that names it; `drop()` removes it and everything in it. */
export async function freshSchema(label = 't'): Promise<{schema: string; url: string; drop: () => Promise<void>}> {
  await requirePostgres()
  const schema = `adw_${label}_${randomBytes(5).toString('hex')}`
  const url = `${PG_BASE}${PG_BASE.includes('?') ? '&' : '?'}schema=${schema}`
  return {schema, url, drop: () => psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => undefined)}
}

/** Runs SQL in the schema a store URL names (`?schema=`), as psql with that search_path would. */
export async function psqlAt<R extends pg.QueryResultRow = any>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const {parseTarget} = await import('../../src/store/postgres/connect.js')
  const target = parseTarget(url)
  const client = new pg.Client({connectionString: target.connectionString, options: `-c search_path=${target.schema}`, connectionTimeoutMillis: 5000})
  await client.connect()
  try {
    return (await client.query<R>(sql, values)).rows
  } finally {
    await client.end()
  }
}
