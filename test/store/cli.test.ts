import {execa} from 'execa'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {adw, ADW, isolatedEnv, tmpDir} from '../helpers/cli.js'
import {until, waitingFor} from '../helpers/deadline.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {newRun, runChild, SRC_STORE, tempDb} from './fixtures.js'

const env = {TZ: 'UTC'}
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Two finished runs and one still running (this process), with a few log rows. */
async function populate(db: string) {
  const store = openSqliteStore(db)
  await store.createRun(newRun('older', {pipelineName: 'plan-build'}))
  const plan = await store.startStep({adwId: 'older', stepId: 'plan', iteration: 0, executor: 'shell'})
  store.log({adwId: 'older', agentName: 'orchestrator', level: 'INFO', type: 'milestone', message: 'run started'})
  store.log({adwId: 'older', stepName: 'plan', level: 'INFO', type: 'milestone', message: 'step started', details: {executor: 'shell'}})
  store.log({adwId: 'older', stepName: 'plan', level: 'DEBUG', type: 'output', message: 'first line\nsecond line'})
  store.log({adwId: 'older', stepName: 'plan', level: 'WARNING', type: 'output', message: 'x'.repeat(300)})
  store.log({adwId: 'older', stepName: 'plan', level: 'ERROR', type: 'error', message: 'plan failed', details: {message: 'boom'}})
  await store.addUsage(plan, 'older', {inputTokens: 12_000, outputTokens: 345, costUsd: 0.0123})
  await store.finishStep(plan, {status: 'succeeded'})
  await store.skipStep({adwId: 'older', stepId: 'deploy', iteration: 0, reason: 'if: false'})
  await store.finishRun('older', 'failed', 'plan failed')
  await sleep(5)
  await store.createRun(newRun('newer', {pipelineName: 'noop'}))
  await store.finishRun('newer', 'succeeded')
  await sleep(5)
  await store.createRun(newRun('live', {pipelineName: 'noop'}))
  await store.close()
}

test('adw runs: newest first, aligned columns, human units, --status, --limit, --json', async () => {
  const {dir, db} = tempDb()
  await populate(db)
  const r = await adw(['runs', '--db', db], {env})
  assert.is(r.exitCode, 0, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0], /^ADW_ID\s+PIPELINE\s+STATUS\s+STARTED\s+DURATION\s+STEPS\s+TOKENS\s+COST$/)
  assert.equal(lines.slice(1).map(l => l.split(/\s+/)[0]), ['live', 'newer', 'older', 'total'])
  assert.match(lines[3], /^older\s+plan-build\s+failed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ms\s+1\/2, 1 skipped\s+12\.3k\s+\$0\.0123$/)
  assert.match(lines[1], /^live\s+noop\s+running\s/)
  assert.is(lines[0].indexOf('STATUS'), lines[3].indexOf('failed'), 'columns line up')

  const failed = await adw(['runs', '--db', db, '--status', 'failed'], {env})
  assert.is(failed.exitCode, 0, failed.stderr)
  assert.equal(failed.stdout.split('\n').slice(1).map(l => l.split(/\s+/)[0]), ['older', 'total'])
  const one = await adw(['runs', '--db', db, '--limit', '1'], {env})
  assert.is(one.exitCode, 0, one.stderr)
  assert.is(one.stdout.split('\n').length, 3)

  const json = await adw(['runs', '--json'], {env: {...env, DATABASE_PATH: db}, cwd: dir})
  assert.is(json.exitCode, 0, json.stderr)
  const rows = json.stdout.split('\n').map(l => JSON.parse(l))
  assert.equal(rows.map(r => [r.adw_id, r.status]), [['live', 'running'], ['newer', 'succeeded'], ['older', 'failed']])
  assert.equal(rows[2].steps, {total: 2, succeeded: 1, failed: 0, skipped: 1, running: 0, cancelled: 0, interrupted: 0})
  assert.equal(rows[2].inputs, {prompt: 'hi'})

  const none = await adw(['runs', '--db', db, '--status', 'cancelled'], {env})
  assert.is(none.exitCode, 0)
  assert.is(none.stdout, `No cancelled runs in ${db}.`)
  const bad = await adw(['runs', '--db', db, '--status', 'done'], {env})
  assert.is(bad.exitCode, 2)
  assert.match(bad.stderr, /Expected --status=done to be one of/)
})

test('adw runs: an empty database says so; a running run whose process died shows as interrupted', async () => {
  const {dir, db} = tempDb()
  await openSqliteStore(db).close()
  const empty = await adw(['runs'], {cwd: dir, env: {...env, DATABASE_PATH: db}})
  assert.is(empty.exitCode, 0)
  assert.is(empty.stdout, `No runs yet in ${db}. Start one with: adw run <pipeline>`)
  const child = await runChild(dir, 'dies', `
    import {openSqliteStore} from ${JSON.stringify(SRC_STORE)}
    await openSqliteStore(${JSON.stringify(db)}).createRun({adwId: 'crashed', pipelineName: 'p', pipelineFile: 'p.yaml', pipelineSnapshot: '', inputs: {}, workingDir: '.'})
    process.kill(process.pid, 'SIGKILL')
  `)
  assert.is(child.signal, 'SIGKILL')
  const r = await adw(['runs', '--db', db, '--status', 'interrupted'], {env})
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout.split('\n')[1], /^crashed\s+p\s+interrupted\s/)
  const running = await adw(['runs', '--db', db, '--status', 'running'], {env})
  assert.is(running.exitCode, 0, running.stderr)
  assert.is(running.stdout, `No running runs in ${db}.`)
})

test('adw logs: table with time, step, level, type and the first line of each message', async () => {
  const {db} = tempDb()
  await populate(db)
  const r = await adw(['logs', '--adw-id', 'older', '--db', db], {env})
  assert.is(r.exitCode, 0, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0], /^TIME\s+STEP\s+LEVEL\s+TYPE\s+MESSAGE$/)
  assert.is(lines.length, 6)
  assert.match(lines[1], /^\d\d:\d\d:\d\d\.\d{3}  -       INFO      milestone     run started$/, 'the step column fits the longest step id (deploy)')
  assert.match(lines[3], /  plan    DEBUG     output        first line …$/)
  assert.is(lines[4].split('  ').at(-1), `${'x'.repeat(119)}…`, 'long messages are cut at 120 characters')
  const store = openSqliteStore(db)
  const first = (await store.queryLogs({adwId: 'older'}))[0]
  await store.close()
  assert.ok(lines[1].startsWith(first.created_at.slice(11, 23)), 'time is HH:MM:SS.mmm')
})

test('adw logs: --level is that level and above; --step, --type, --limit; --json is NDJSON', async () => {
  const {db} = tempDb()
  await populate(db)
  const messages = async (...args: string[]) => {
    const r = await adw(['logs', '--adw-id', 'older', '--db', db, '--json', ...args], {env})
    assert.is(r.exitCode, 0, r.stderr)
    return r.stdout === '' ? [] : r.stdout.split('\n').map(l => JSON.parse(l))
  }
  const warn = await messages('--level', 'WARNING')
  assert.equal(warn.map(r => r.log_level), ['WARNING', 'ERROR'])
  assert.equal(warn[1].details, {message: 'boom'}, 'details parsed')
  assert.equal((await messages('--type', 'milestone')).map(r => r.message), ['run started', 'step started'])
  assert.equal((await messages('--step', 'plan', '--limit', '2')).map(r => r.log_level), ['WARNING', 'ERROR'])
  assert.equal((await messages('--step', 'nope')), [])
  const all = await messages()
  assert.equal(Object.keys(all[0]), ['id', 'adw_id', 'agent_name', 'step_name', 'iteration', 'log_level', 'log_type', 'message', 'details', 'created_at'])

  const table = await adw(['logs', '--adw-id', 'older', '--db', db, '--limit', '1'], {env})
  assert.is(table.exitCode, 0, table.stderr)
  assert.match(table.stdout, /ERROR\s+error\s+plan failed$/)
  const none = await adw(['logs', '--adw-id', 'older', '--db', db, '--step', 'nope'], {env})
  assert.is(none.exitCode, 0, none.stderr)
  assert.is(none.stdout, '(no log rows match)')
  const bad = await adw(['logs', '--adw-id', 'older', '--db', db, '--level', 'LOUD'], {env})
  assert.is(bad.exitCode, 2)
  assert.match(bad.stderr, /Expected --level=LOUD to be one of: DEBUG, INFO, WARNING, ERROR,/)
})

test('adw logs: an unknown id exits 2 listing recent ids; a missing database exits 2 and is not created', async () => {
  const {dir, db} = tempDb()
  await populate(db)
  const r = await adw(['logs', '--adw-id', 'nope', '--db', db], {env})
  assert.is(r.exitCode, 2)
  assert.is(r.stdout, '')
  assert.is(r.stderr.split('\n')[0], `Error: No run with adw_id "nope" in ${db}. Recent runs: live, newer, older.`)
  assert.not.match(r.stderr, /at .*\.js/, 'no stack trace')

  const missing = join(dir, 'missing.db')
  for (const args of [['logs', '--adw-id', 'x', '--db', missing], ['runs', '--db', missing]]) {
    const m = await adw(args, {env})
    assert.is(m.exitCode, 2)
    assert.match(m.stderr, new RegExp(`^Error: No database at ${missing}`))
  }
  const ls = await execa('ls', [dir])
  assert.not.match(ls.stdout, /missing/)
  const elsewhere = tmpDir()
  const fallback = await adw(['runs'], {cwd: elsewhere, env})
  assert.is(fallback.exitCode, 2)
  assert.match(fallback.stderr, new RegExp(`No database at ${join(elsewhere, '.adw/orchestrator.db')}`), 'defaults to .adw/orchestrator.db')
  assert.is((await execa('ls', ['-A', elsewhere])).stdout, '', 'read commands create nothing')
})

test('adw logs --follow prints each row as it is written, while the run goes on, and ends when the run finishes', async () => {
  const {db} = tempDb()
  const store = openSqliteStore(db) // this process plays the running adw
  await store.createRun(newRun('tail'))
  store.log({adwId: 'tail', level: 'INFO', type: 'milestone', message: 'run started'})
  await store.flush()
  const follow = execa(ADW, ['logs', '--adw-id', 'tail', '--db', db, '--follow', '--json'], {env: {...isolatedEnv(), ...env}, reject: false, stdin: 'ignore', timeout: 60_000})
  let ended = false
  void follow.then(() => (ended = true))
  const seen: string[] = []
  let partial = ''
  follow.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n')
    partial = lines.pop()!
    seen.push(...lines.filter(Boolean).map(l => JSON.parse(l).message))
  })
  try {
    await until(() => seen.includes('run started'), 'adw logs --follow to print the first row', 30_000)
    for (let i = 0; i < 3; i++) {
      store.log({adwId: 'tail', stepName: 'build', level: 'INFO', type: 'output', message: `late ${i}`})
      await store.flush()
      await until(() => seen.includes(`late ${i}`), `adw logs --follow to print "late ${i}" while the run is still running`, 30_000)
    }
    assert.not.ok(ended, 'still following while the run is running')
    store.log({adwId: 'tail', stepName: 'build', level: 'INFO', type: 'milestone', message: 'run finished'})
    await store.finishRun('tail', 'succeeded')
  } finally {
    await store.close()
  }
  const r = await waitingFor('adw logs --follow to end after the run finished', follow)
  assert.is(r.exitCode, 0, String(r.stderr))
  assert.equal(seen, ['run started', 'late 0', 'late 1', 'late 2', 'run finished'])
})

test.run()
