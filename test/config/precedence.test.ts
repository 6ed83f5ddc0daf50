// README "Configuration": flags > environment > the working directory's .env > adw.config.yaml >
// defaults, for the model, the database and the log level, seen through `adw run` as a user runs it.
import {existsSync, realpathSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {DEFAULT_MODEL} from '../../src/plugins/agent.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const dirs: string[] = []
const project = (files: Record<string, string>) => {
  dirs.push(realpathSync(tmpDir(files, 'adw-config-')))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

const ASK = 'name: ask\nsteps:\n  - id: ask\n    uses: agent\n    with: {prompt: "say ok"}\n'

test('the model: --model > AGENT_MODEL > .env AGENT_MODEL > agent_sdk.model > the default, as sent to the Messages API', async () => {
  const fake = await startFakeAnthropic(() => reply.text('ok'))
  try {
    const dir = project({'p.yaml': ASK})
    const db = join(dir, 'runs.db')
    const api = {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
    const modelOf = async (id: string, args: string[] = [], env: Record<string, string> = {}) => {
      const r = await adw(['run', 'p.yaml', '--db', db, '--adw-id', id, '-q', ...args], {cwd: dir, env: {...api, ...env}})
      assert.is(r.exitCode, 0, r.stderr + r.stdout)
      const sent = fake.messageRequests().at(-1)!.body.model
      assert.is(rows(db, 'SELECT model FROM steps WHERE adw_id = ?', id)[0].model, sent, 'the step row records the model used')
      return sent
    }
    assert.is(await modelOf('default'), DEFAULT_MODEL)
    writeFileSync(join(dir, 'adw.config.yaml'), 'agent_sdk: {model: model-from-config}\n')
    assert.is(await modelOf('config'), 'model-from-config')
    writeFileSync(join(dir, '.env'), 'AGENT_MODEL=model-from-dotenv\n')
    assert.is(await modelOf('dotenv'), 'model-from-dotenv')
    assert.is(await modelOf('env', [], {AGENT_MODEL: 'model-from-env'}), 'model-from-env')
    assert.is(await modelOf('flag', ['--model', 'model-from-flag'], {AGENT_MODEL: 'model-from-env'}), 'model-from-flag')
    assert.is(await modelOf('short-flag', ['-m', 'model-from-m'], {AGENT_MODEL: 'model-from-env'}), 'model-from-m')
  } finally {
    await fake.close()
  }
})

const NOOP = 'name: n\nsteps:\n  - id: a\n    uses: noop\n'
const idsIn = (db: string) => (existsSync(db) ? rows(db, 'SELECT adw_id FROM runs ORDER BY adw_id').map(r => r.adw_id) : [])

test('the database: --db > DATABASE_PATH > .env DATABASE_PATH > database.path > .adw/orchestrator.db', async () => {
  const dir = project({'p.yaml': NOOP})
  const run = async (id: string, args: string[] = [], env: Record<string, string> = {}) => {
    const r = await adw(['run', 'p.yaml', '--adw-id', id, '-q', ...args], {cwd: dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
  }
  await run('default')
  writeFileSync(join(dir, 'adw.config.yaml'), 'database: {path: data/from-config.db}\n')
  await run('config')
  writeFileSync(join(dir, '.env'), 'DATABASE_PATH=from-dotenv.db\n')
  await run('dotenv')
  await run('env', [], {DATABASE_PATH: 'from-env.db'})
  await run('flag', ['--db', 'from-flag.db'], {DATABASE_PATH: 'from-env.db'})
  assert.equal(idsIn(join(dir, '.adw/orchestrator.db')), ['default'])
  assert.equal(idsIn(join(dir, 'data/from-config.db')), ['config'])
  assert.equal(idsIn(join(dir, 'from-dotenv.db')), ['dotenv'])
  assert.equal(idsIn(join(dir, 'from-env.db')), ['env'])
  assert.equal(idsIn(join(dir, 'from-flag.db')), ['flag'])
  // The read commands find the same file by the same rules.
  const runs = await adw(['runs', '--json'], {cwd: dir, env: {DATABASE_PATH: 'from-env.db'}})
  assert.is(runs.exitCode, 0, runs.stderr)
  assert.equal(runs.stdout.split('\n').map(l => JSON.parse(l).adw_id), ['env'])
  const logs = await adw(['logs', '--adw-id', 'dotenv', '--json'], {cwd: dir})
  assert.is(logs.exitCode, 0, logs.stderr)
  assert.ok(logs.stdout.split('\n').some(l => JSON.parse(l).message.startsWith('Run succeeded')), logs.stdout)
})

/** A local executor logging one row at every level. */
const LEVELS = `export default {
  name: 'levels',
  async run(options, ctx) {
    for (const level of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']) ctx.log(level, 'output', 'at ' + level)
    return {outputs: {}}
  },
}
`

test('the lowest level recorded: LOG_LEVEL > .env LOG_LEVEL > logging.level > INFO', async () => {
  const dir = project({'p.yaml': 'name: lv\nsteps:\n  - id: lv\n    uses: ./levels.mjs\n', 'levels.mjs': LEVELS})
  const db = join(dir, 'runs.db')
  const recorded = async (id: string, env: Record<string, string> = {}) => {
    const r = await adw(['run', 'p.yaml', '--db', db, '--adw-id', id, '-q'], {cwd: dir, env})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    return rows(db, "SELECT log_level FROM agent_logs WHERE adw_id = ? AND message LIKE 'at %' ORDER BY id", id).map(r => r.log_level)
  }
  assert.equal(await recorded('default'), ['INFO', 'WARNING', 'ERROR', 'CRITICAL'])
  writeFileSync(join(dir, 'adw.config.yaml'), 'logging: {level: ERROR}\n')
  assert.equal(await recorded('config'), ['ERROR', 'CRITICAL'])
  writeFileSync(join(dir, '.env'), 'LOG_LEVEL=WARNING\n')
  assert.equal(await recorded('dotenv'), ['WARNING', 'ERROR', 'CRITICAL'])
  assert.equal(await recorded('env', {LOG_LEVEL: 'debug'}), ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'])
})

test('a bad LOG_LEVEL is exit 2 naming it; nothing is written', async () => {
  const dir = project({'p.yaml': NOOP})
  const r = await adw(['run', 'p.yaml', '-q'], {cwd: dir, env: {LOG_LEVEL: 'LOUD'}})
  assert.is(r.exitCode, 2, r.stderr)
  assert.match(r.stderr, 'LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL; got "LOUD"')
  assert.not.ok(existsSync(join(dir, '.adw')), 'no database written')
})

test('a bad adw.config.yaml given to adw run: every problem at adw.config.yaml:line:col, exit 2, nothing written, no stack trace', async () => {
  const config = 'project: {name: demo}\ndatabase: {path: 42}\nagent_sdk: {modle: x}\nlogging: {level: LOUD}\nextra: {}\n'
  const dir = project({'p.yaml': NOOP, 'adw.config.yaml': config})
  const r = await adw(['run', 'p.yaml', '-q'], {cwd: dir})
  assert.is(r.exitCode, 2, r.stderr)
  assert.is(r.stdout, '')
  const file = join(dir, 'adw.config.yaml')
  assert.match(r.stderr, `${file}:2:18: database.path must be a non-empty string (a file path)`)
  assert.match(r.stderr, `${file}:3:13: unknown key "agent_sdk.modle"; allowed: agent_sdk.model`)
  assert.match(r.stderr, `${file}:4:18: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL`)
  assert.match(r.stderr, `${file}:5:1: unknown section "extra"`)
  assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace')
  assert.not.ok(existsSync(join(dir, '.adw')) || existsSync(join(dir, '42')), 'no database written')

  writeFileSync(file, 'database: {path: [unclosed\n')
  const syntax = await adw(['run', 'p.yaml', '-q'], {cwd: dir})
  assert.is(syntax.exitCode, 2, syntax.stderr)
  assert.match(syntax.stderr, new RegExp(`${file}:\\d+:\\d+: `))
  assert.not.match(syntax.stderr, /at .*\.js:\d+/, 'no stack trace')
  assert.not.ok(existsSync(join(dir, '.adw')), 'no database written')
})

test.run()
