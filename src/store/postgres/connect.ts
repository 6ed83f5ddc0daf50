/**
 * The Postgres store's connection: the URL checked and split (adw's own `?schema=` parameter), a
 * pool whose rows come back as the SQLite store's do (64-bit integers as numbers), and the driver's
 * refusals (server down, wrong password, no such database, bad URL) as AdwErrors, exit 2, that name
 * the URL with its password masked and say what to do.
 */
import pg from 'pg'

import {AdwError} from '../../errors.js'
import {maskLocation} from '../url.js'

/** What the store connects to, parsed from its URL. */
export interface PgTarget {
  /** The URL for the driver (without adw's `schema` parameter). */
  connectionString: string
  /** The schema the tables live in (`?schema=`, default `public`). */
  schema: string
  /** The URL to show: password masked. */
  masked: string
  host: string
  port: string
  database: string
  user: string
}

const WHERE = '--db / DATABASE_URL / adw.config.yaml database.url'
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Parses a `postgres://` URL; bad syntax is an AdwError naming it (masked). */
export function parseTarget(url: string): PgTarget {
  const masked = maskLocation(url)
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw new AdwError('DATABASE_INVALID', `The database URL ${masked} is not a valid URL.`, {
      suggestions: [`write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode @ : / in the password), in ${WHERE}`],
    })
  }
  const schema = parsed.searchParams.get('schema') ?? 'public'
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new AdwError('DATABASE_INVALID', `The database URL ${masked} names the schema "${schema}", which is not a plain identifier.`, {
      suggestions: ['use lower-case letters, digits and _ (e.g. ?schema=adw), not starting with a digit nor pg_ (reserved)'],
    })
  }
  parsed.searchParams.delete('schema')
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  return {
    connectionString: parsed.toString(),
    schema,
    masked,
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    database: database || decodeURIComponent(parsed.username) || process.env.USER || '',
    user: decodeURIComponent(parsed.username) || process.env.PGUSER || process.env.USER || '',
  }
}

/** int8 (counts, ids, token sums) as a JS number, like node:sqlite; numeric too. Per pool, not global. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

export function createPool(target: PgTarget, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    // Unqualified names mean the store's schema (the table names are the SQLite store's).
    // synchronous_commit=off: a commit does not wait for its WAL flush (the server still never
    // corrupts; a server crash may lose the last ~0.6 s of writes), as SQLite's synchronous=NORMAL in
    // WAL mode; without it each of a step's commits waited for an fsync (~15 ms a step here). The
    // transactions whose outcome a person acts on (claim, decide) turn it back on for themselves.
    options: `-c search_path=${target.schema} -c synchronous_commit=off`,
    application_name: 'adw',
    // Idle connections never keep a finished command alive.
    allowExitOnIdle: true,
    types,
  } as pg.PoolConfig)
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  return pool
}

/** A connection failure as the user should read it, or the error unchanged if it is not one. */
export function connectionError(target: PgTarget, error: unknown): unknown {
  const e = error as {code?: string; message?: string}
  const where = `PostgreSQL at ${target.masked}`
  const fail = (what: string, suggestions: string[]) => new AdwError('DATABASE_INVALID', `Cannot open the database ${target.masked}: ${what}.`, {suggestions, cause: error})
  switch (e?.code) {
    case 'ECONNREFUSED':
      return fail(`the connection to ${target.host}:${target.port} was refused (no server listening there)`, [
        'start the server (e.g. pg_ctlcluster <version> main start, or systemctl start postgresql)',
        `or check the host and port in ${WHERE}`,
      ])
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`the host "${target.host}" is unknown`, [`check the host name in ${WHERE}`])
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`${target.host}:${target.port} did not answer`, ['check that the server is up and reachable from here (firewall, VPN)'])
    case '28P01':
    case '28000':
      return fail(`the server refused user "${target.user}" (${e.message})`, [
        `check the user and password in ${WHERE} (or PGPASSWORD), and the server's pg_hba.conf`,
      ])
    case '3D000':
      return fail(`the database "${target.database}" does not exist on ${target.host}:${target.port}`, [
        `create it: createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}`,
        `or name an existing database in ${WHERE}`,
      ])
    case '42501':
      return fail(`user "${target.user}" may not create adw's tables in schema "${target.schema}" (${e.message})`, [
        `grant it: GRANT CREATE ON SCHEMA ${target.schema} TO ${target.user}; or use another ?schema=`,
      ])
    case '42P07':
      return fail(`schema "${target.schema}" already has a table adw needs (${e.message}) that adw did not create`, [
        `give adw a schema of its own: add ?schema=adw to the URL (${WHERE})`,
      ])
    case '57P03':
      return fail('the server is starting up or shutting down', ['try again in a moment'])
  }
  if (/timeout/i.test(e?.message ?? '')) return fail(`no connection within 10 s to ${where}`, ['check that the server is up and reachable from here'])
  if (/SSL|self.signed|certificate/i.test(e?.message ?? '')) return fail(`the TLS handshake failed (${e.message})`, ['check ?sslmode= in the URL'])
  return error
}
