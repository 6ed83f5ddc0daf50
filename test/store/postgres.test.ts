/**
 * What only the Postgres store has: migrations under an advisory lock, the schema in step with
 * SQLite's, and connection failures told as a user can act on them (exit-2 AdwErrors naming the URL
 * with its password masked). The store's behaviour itself is the contract (contract-postgres.test.ts).
 */
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {AdwError} from '../../src/errors.js'
import {maskLocation} from '../../src/store/url.js'
import {openPostgresStore, PG_SCHEMA_VERSION} from '../../src/store/postgres/index.js'
import {BASELINE} from '../../src/store/postgres/schema.js'
import {SCHEMA_VERSION} from '../../src/store/schema.js'
import {freshSchema, PG_BASE, psql, psqlAt} from '../helpers/pg.js'
import {newRun} from './fixtures.js'

async function refusal(url: string): Promise<AdwError> {
  try {
    const store = await openPostgresStore(url)
    await store.close()
  } catch (error) {
    assert.instance(error, AdwError, String(error))
    return error as AdwError
  }
  assert.unreachable(`${url} opened`)
  throw new Error('unreachable')
}

test('the Postgres schema is at the SQLite schema version (a new SQLite migration needs its twin in postgres/schema.ts)', () => {
  assert.is(PG_SCHEMA_VERSION, SCHEMA_VERSION)
})

test('four stores opening one fresh schema at the same moment migrate it exactly once; the tables are the SQLite ones', async () => {
  const {url, schema, drop} = await freshSchema('migrate')
  try {
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(url)))
    await stores[0].createRun(newRun('m1'))
    assert.ok(await stores[3].getRun('m1'))
    await Promise.all(stores.map(s => s.close()))
    // The baseline (SQLite's version 7 at once), then each later migration once.
    assert.equal((await psqlAt(url, 'SELECT version FROM adw_schema ORDER BY version')).map(r => r.version), [BASELINE, ...Array.from({length: SCHEMA_VERSION - BASELINE}, (_, i) => BASELINE + i + 1)])
    const tables = await psql("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'adw_schema' ORDER BY 1", [schema])
    assert.equal(tables.map(r => r.table_name), ['agent_logs', 'approvals', 'eval_runs', 'evals', 'recordings', 'replays', 'runs', 'steps', 'worktrees'])
    const columns = await psql('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, 'agent_logs'])
    assert.equal(columns.map(r => r.column_name), ['id', 'adw_id', 'agent_name', 'step_name', 'iteration', 'log_level', 'log_type', 'message', 'details', 'created_at'])
    // Opening again changes nothing.
    await (await openPostgresStore(url)).close()
    assert.is((await psqlAt(url, 'SELECT count(*)::int AS n FROM adw_schema'))[0].n, SCHEMA_VERSION - BASELINE + 1)
  } finally {
    await drop()
  }
})

test('a schema from a newer adw is refused, not downgraded', async () => {
  const {url, drop} = await freshSchema('newer')
  try {
    await (await openPostgresStore(url)).close()
    await psqlAt(url, "INSERT INTO adw_schema VALUES ($1, 'later')", [SCHEMA_VERSION + 1])
    const e = await refusal(url)
    assert.match(e.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this adw understands`))
  } finally {
    await drop()
  }
})

test('bad URLs: refused connection, unknown database, unknown user, bad syntax, bad schema: exit 2, what to do, password masked', async () => {
  const base = new URL(PG_BASE)
  const at = (over: {port?: string; path?: string; user?: string; password?: string}) => {
    const u = new URL(PG_BASE)
    if (over.port) u.port = over.port
    if (over.path) u.pathname = over.path
    if (over.user) u.username = over.user
    u.password = over.password ?? 's3cret-pw'
    return u.toString()
  }
  const refused = await refusal(at({port: '1'}))
  assert.match(refused.message, /connection to .*:1 was refused/)
  assert.match(refused.suggestions.join('\n'), /start the server/)
  const missing = await refusal(at({path: '/adw_no_such_db'}))
  assert.match(missing.message, /the database "adw_no_such_db" does not exist/)
  assert.match(missing.suggestions[0], new RegExp(`createdb -h ${base.hostname} -p \\d+ -U \\S+ adw_no_such_db`))
  const user = await refusal(at({user: 'adw_no_such_user'}))
  assert.match(user.message, /refused user "adw_no_such_user"/)
  const syntax = await refusal('postgres://ann:s3cret-pw@[bad-host/db')
  assert.match(syntax.message, /is not a valid URL/)
  const schema = await refusal(`${PG_BASE}?schema=Bad-Name`)
  assert.match(schema.message, /not a plain identifier/)
  for (const e of [refused, missing, user, syntax, schema]) {
    assert.is(e.exitCode, 2)
    assert.not.match(`${e.message}\n${e.suggestions.join('\n')}`, /s3cret-pw/)
  }
  assert.ok(refused.message.includes(':***@'), refused.message)
})

test('maskLocation hides passwords in URLs, in a password= parameter and in text that does not parse', () => {
  assert.is(maskLocation('postgres://ann:pw@db:5432/adw'), 'postgres://ann:***@db:5432/adw')
  assert.is(maskLocation('postgresql://db/adw?password=pw&schema=x'), 'postgresql://db/adw?password=***&schema=x')
  assert.is(maskLocation('postgres://ann@db/adw'), 'postgres://ann@db/adw')
  assert.is(maskLocation('postgres://ann:p@ss@[x/db'), 'postgres://ann:***@[x/db')
})

test.run()
