// A run driven from another host: its pid means nothing here, so its heartbeat decides. Under 60 s
// old, the run is `running` and --resume is refused (exit 2); older, it is `interrupted` and resumes.
// The other host is faked in the database, as a shared database would show it.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {rmDir} from '../helpers/cli.js'
import {adwIn, markers, project, rows, shownStatus} from './resume.helpers.js'

const YAML = `name: remote
steps:
  - id: gate
    uses: shell
    with:
      run: echo x >> ran-gate; test -e open
`

/** Records the run as driven by pid 4242 on build-box-7, its last heartbeat `ageS` seconds ago (none: null). */
function drivenElsewhere(db: string, ageS: number | null): void {
  const conn = new DatabaseSync(db)
  try {
    const beat = ageS === null ? null : new Date(Date.now() - ageS * 1000).toISOString()
    conn.prepare("UPDATE runs SET status = 'running', pid = 4242, host = 'build-box-7', heartbeat_at = ?, finished_at = NULL, error = NULL").run(beat)
  } finally {
    conn.close()
  }
}

test('another host: a heartbeat 20 s or 40 s old is running (resume refused, naming pid and host); none at all is taken at its word', async () => {
  const {dir, db} = project(YAML)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'remote', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    writeFileSync(join(dir, 'open'), '')
    for (const age of [20, 40, null]) {
      drivenElsewhere(db, age)
      assert.is(await shownStatus(dir, db, 'remote'), 'running', `heartbeat ${age} s old`)
      const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'remote', '--db', db])
      assert.is(r.exitCode, 2, r.stderr)
      assert.match(r.stderr, 'Run "remote" is still being driven by adw process 4242 on build-box-7')
      if (age !== null) {
        const said = Number(/last heartbeat (\d+) s ago/.exec(r.stderr)?.[1])
        assert.ok(said >= age && said < age + 15, `"last heartbeat ${said} s ago" for a heartbeat written ${age} s before`)
      }
      assert.match(r.stderr, 'kill -INT 4242')
    }
    assert.equal(markers(dir), {'ran-gate': 1}, 'a refused resume runs nothing')
    assert.equal({...rows(db, 'SELECT pid, host FROM runs')[0]}, {pid: 4242, host: 'build-box-7'})
  } finally {
    rmDir(dir)
  }
})

test('another host: a heartbeat over 60 s old is interrupted in adw runs and adw logs, and --resume takes the run over', async () => {
  const {dir, db} = project(YAML)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'remote', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    drivenElsewhere(db, 90)
    assert.is(await shownStatus(dir, db, 'remote'), 'interrupted')
    const table = await adwIn(dir, ['runs', '--db', db])
    assert.is(table.exitCode, 0, table.stderr)
    assert.match(table.stdout, /\nremote\s+remote\s+interrupted\s/)
    const listed = await adwIn(dir, ['runs', '--db', db, '--status', 'interrupted', '--json'])
    assert.equal(listed.stdout.split('\n').map(l => JSON.parse(l).adw_id), ['remote'])

    writeFileSync(join(dir, 'open'), '')
    const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'remote', '--db', db, '--quiet'])
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.equal(markers(dir), {'ran-gate': 2})
    const [run] = rows(db, 'SELECT status, pid, host FROM runs')
    assert.is(run.status, 'succeeded')
    assert.is.not(run.host, 'build-box-7', 'this host drives it now')
    const resumed = JSON.parse(rows(db, "SELECT details FROM agent_logs WHERE message LIKE 'Run resumed:%'")[0].details)
    assert.is(resumed.previousHost, 'build-box-7')
    assert.is(resumed.previousPid, 4242)
  } finally {
    rmDir(dir)
  }
})

test.run()
