// Where the store is, when a PostgreSQL URL is in play (README "Scaling out"): --db > DATABASE_URL
// > DATABASE_PATH > adw.config.yaml database.url > database.path; DATABASE_URL only from trusted
// sources and only as postgres://; a bad database.url at file:line:col. resolveConfig in-process.
import {realpathSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {resolveDbPath} from '../../src/config.js'
import {AdwError} from '../../src/errors.js'
import {rmDir, tmpDir} from '../helpers/cli.js'

const URL_A = 'postgres://adw@db-a.internal/adw'
const URL_B = 'postgresql://adw@db-b.internal:6432/adw?schema=team_b'
const dirs: string[] = []
const project = (files: Record<string, string> = {}) => {
  dirs.push(realpathSync(tmpDir(files, 'adw-dburl-')))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

test('--db and DATABASE_URL URLs are kept as given; --db wins, then DATABASE_URL over DATABASE_PATH', async () => {
  const dir = project()
  assert.is(await resolveDbPath({cwd: dir, db: URL_A, env: {DATABASE_URL: URL_B}}), URL_A)
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_URL: URL_B, DATABASE_PATH: 'x.db'}}), URL_B)
  assert.is(await resolveDbPath({cwd: dir, db: 'local.db', env: {DATABASE_URL: URL_B}}), join(dir, 'local.db'))
})

test("a DATABASE_URL that is not postgres://, or that comes from the project's .env, is not adw's store", async () => {
  const dir = project({'.env': `DATABASE_URL=${URL_A}\n`})
  assert.is(await resolveDbPath({cwd: dir, env: {}}), join(dir, '.adw/orchestrator.db'))
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_URL: 'mysql://app@db/app'}}), join(dir, '.adw/orchestrator.db'))
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_URL: ''}}), join(dir, '.adw/orchestrator.db'))
})

test('adw.config.yaml database.url is over database.path; the environment is over both; its env: DATABASE_URL counts', async () => {
  const dir = project({'adw.config.yaml': `database: {path: data/x.db, url: "${URL_A}"}\n`})
  assert.is(await resolveDbPath({cwd: dir, env: {}}), URL_A)
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_PATH: 'env.db'}}), join(dir, 'env.db'))
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_URL: URL_B}}), URL_B)
  const other = project({'adw.config.yaml': `env: {DATABASE_URL: "${URL_B}"}\n`})
  assert.is(await resolveDbPath({cwd: other, env: {}}), URL_B)
})

test('a database.url that is not a postgres:// URL is exit 2 at its line and column', async () => {
  const dir = project({'adw.config.yaml': 'database:\n  url: mysql://app@db/app\n'})
  try {
    await resolveDbPath({cwd: dir, env: {}})
    assert.unreachable()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).exitCode, 2)
    assert.match((error as Error).message, /adw\.config\.yaml:2:8: database\.url must be a postgres:\/\/ URL/)
  }
  writeFileSync(join(dir, 'adw.config.yaml'), `database: {url: "${URL_A}"}\n`)
  assert.is(await resolveDbPath({cwd: dir, env: {}}), URL_A)
})

test.run()
