/**
 * The CLI on the Postgres store, as a user drives it: `adw run --db postgres://…` of a shell
 * pipeline, then `adw runs`, `adw logs`, `adw runs show`; a run killed with -9 mid-step resumed
 * (the finished step reused, the cut one run again); DATABASE_URL and adw.config.yaml database.url;
 * a bad URL given to `adw run` (exit 2, password masked, nothing run).
 */
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {adw, rmDir} from '../helpers/cli.js'
import {freshSchema, psqlAt} from '../helpers/pg.js'
import {adwIn, BLOCK_ONCE, killPidFile, markers, project, spawnAdw, waitForFile} from '../resume/resume.helpers.js'

const PIPELINE = `name: pg-demo
steps:
  - id: plan
    uses: shell
    with: {run: echo x >> ran-plan; echo planned}
  - id: build
    uses: shell
    with:
      run: |
        echo x >> ran-build
        ${BLOCK_ONCE()}
        echo built
`

const stepRuns = async (url: string) => (await psqlAt(url, 'SELECT step_id, status FROM steps ORDER BY id')).map(r => `${r.step_id}:${r.status}`)

test('adw run --db postgres://…, killed with -9 mid-step, then runs / logs / runs show, and --resume finishes it reusing the finished step', async () => {
  const {dir} = project(PIPELINE)
  const {url, drop} = await freshSchema('cli')
  try {
    const sub = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'pg-1', '--db', url])
    await waitForFile(dir, 'ready', 30_000)
    process.kill(sub.pid!, 'SIGKILL')
    assert.is((await sub).signal, 'SIGKILL')
    killPidFile(dir)
    assert.equal(await stepRuns(url), ['plan:succeeded', 'build:running'])

    const listed = await adwIn(dir, ['runs', '--db', url])
    assert.is(listed.exitCode, 0, listed.stderr)
    assert.match(listed.stdout, /pg-1\s+pg-demo\s+interrupted\s/)

    const resumed = await adwIn(dir, ['run', '--resume', '--adw-id', 'pg-1', '--db', url])
    assert.is(resumed.exitCode, 0, resumed.stderr + resumed.stdout)
    assert.equal(await stepRuns(url), ['plan:succeeded', 'build:interrupted', 'build:succeeded'])
    assert.equal(markers(dir), {'ran-build': 2, 'ran-plan': 1})

    const runs = await adwIn(dir, ['runs', '--db', url, '--json'])
    const run = JSON.parse(runs.stdout.split('\n')[0])
    assert.equal([run.adw_id, run.status, run.steps.succeeded, run.steps.interrupted], ['pg-1', 'succeeded', 2, 1])

    const logs = await adwIn(dir, ['logs', 'pg-1', '--db', url, '--step', 'build'])
    assert.is(logs.exitCode, 0, logs.stderr)
    assert.match(logs.stdout, /build\s+INFO\s+output\s+built/)
    assert.match(logs.stdout, /was interrupted: its adw process stopped while it ran/)

    const show = await adwIn(dir, ['runs', 'show', 'pg-1', '--db', url])
    assert.is(show.exitCode, 0, show.stderr)
    assert.match(show.stdout, /plan[\s\S]*build/)
    // The seed's query, verbatim, in the database the run wrote.
    const milestones = await psqlAt(url, "SELECT step_name, log_type FROM agent_logs WHERE adw_id = 'pg-1' AND log_type = 'milestone';")
    assert.ok(milestones.length >= 4, JSON.stringify(milestones))
  } finally {
    killPidFile(dir)
    await drop()
    rmDir(dir)
  }
})

test('DATABASE_URL and adw.config.yaml database.url select the Postgres store; a project .env cannot', async () => {
  const {dir} = project('name: tiny\nsteps:\n  - id: a\n    uses: shell\n    with: {run: echo hi}\n')
  const {url, drop} = await freshSchema('env')
  try {
    const viaEnv = await adw(['run', 'p.yaml', '--adw-id', 'env-1'], {cwd: dir, env: {DATABASE_URL: url}})
    assert.is(viaEnv.exitCode, 0, viaEnv.stderr)
    writeFileSync(join(dir, 'adw.config.yaml'), `database: {url: "${url}"}\n`)
    const viaConfig = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'cfg-1'])
    assert.is(viaConfig.exitCode, 0, viaConfig.stderr)
    // An application's DATABASE_URL in the project's .env is not adw's store: the run goes to the default file.
    writeFileSync(join(dir, 'adw.config.yaml'), 'project: {name: x}\n')
    writeFileSync(join(dir, '.env'), `DATABASE_URL=${url}\n`)
    const viaDotenv = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'dotenv-1'])
    assert.is(viaDotenv.exitCode, 0, viaDotenv.stderr)
    assert.equal((await psqlAt(url, 'SELECT adw_id FROM runs ORDER BY adw_id')).map(x => x.adw_id), ['cfg-1', 'env-1'])
    assert.ok(existsSync(join(dir, '.adw/orchestrator.db')))
  } finally {
    await drop()
    rmDir(dir)
  }
})

test('adw run with a bad database URL: exit 2 before any step runs, the URL shown with its password masked', async () => {
  const {dir} = project('name: tiny\nsteps:\n  - id: a\n    uses: shell\n    with: {run: echo x >> ran-a}\n')
  try {
    const r = await adwIn(dir, ['run', 'p.yaml', '--db', 'postgres://ann:hunter2@127.0.0.1:1/adw'])
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, /Cannot open the database postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/adw: the connection to 127\.0\.0\.1:1 was refused/)
    assert.not.match(r.stdout + r.stderr, /hunter2/)
    assert.equal(markers(dir), {})
  } finally {
    rmDir(dir)
  }
})

test.run()
