// Inputs declared `secret: true`: steps get the value, nothing records it, resume asks for it again.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {dbBytes, rows} from '../helpers/db.js'
import {leaks, S} from './secrets.helpers.js'

// The first attempt fails until the file `go` exists; the step writes what it received to `got`.
const PIPELINE = `name: deploy
inputs:
  tok: {type: string, secret: true, required: true}
  pin: {type: number, secret: true}
  target: {type: string, default: staging}
steps:
  - id: use
    uses: shell
    with:
      env: {TOK: "{{inputs.tok}}", TARGET: "{{inputs.target}}"}
      run: |
        printf '%s' "$TOK" > got
        echo "deploying to $TARGET with $TOK"
        test -f go
`

test('a secret input reaches the step, but runs.inputs, the logs and --json show [REDACTED]; resume asks for it again', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'runs.db')
  try {
    const first = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'd1', '--input', `tok=${S.input}`, '--json'], {cwd: dir})
    assert.is(first.exitCode, 1, first.stderr)
    assert.is(readFileSync(join(dir, 'got'), 'utf8'), S.input, 'the step received the real value')
    assert.equal(JSON.parse(rows(db, "SELECT inputs FROM runs WHERE adw_id = 'd1'")[0].inputs), {tok: '[REDACTED]', target: 'staging'})
    assert.equal(leaks(first.stdout + first.stderr, [S.input]), [])

    const bare = await adw(['run', '--resume', '--adw-id', 'd1', '--db', db], {cwd: dir})
    assert.is(bare.exitCode, 2, bare.stderr)
    assert.match(bare.stderr, 'Run "d1" was started with secret input(s) tok, which adw stores masked; give them again to resume')
    assert.match(bare.stderr, 'adw run --resume --adw-id d1 --input tok=...')
    const other = await adw(['run', '--resume', '--adw-id', 'd1', '--db', db, '--input', `tok=${S.input}`, '--input', 'target=prod'], {cwd: dir})
    assert.is(other.exitCode, 2, other.stderr)
    assert.match(other.stderr, '--input is only for the inputs stored masked (tok), not target')

    writeFileSync(join(dir, 'go'), '')
    writeFileSync(join(dir, 'got'), '')
    const resumed = await adw(['run', '--resume', '--adw-id', 'd1', '--db', db, '--input', `tok=${S.input}`], {cwd: dir})
    assert.is(resumed.exitCode, 0, resumed.stderr + resumed.stdout)
    assert.is(readFileSync(join(dir, 'got'), 'utf8'), S.input, 'the resumed step received the real value again')
    const logs = await adw(['logs', '--adw-id', 'd1', '--db', db, '--json'], {cwd: dir})
    assert.match(logs.stdout, 'deploying to staging with [REDACTED]')
    assert.equal(leaks(logs.stdout + resumed.stdout + resumed.stderr + dbBytes(db).toString('latin1'), [S.input]), [])
    assert.equal(leaks(dbBytes(db), [S.input]), [])
  } finally {
    rmDir(dir)
  }
})

test('a bad value for a secret input is refused without repeating it', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  try {
    const r = await adw(['run', 'p.yaml', '--db', join(dir, 'x.db'), '--input', 'tok=abcdefgh', '--input', 'pin=not-a-number-123'], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr)
    assert.match(r.stderr, 'Input "pin" must be a number, got "[REDACTED]"')
    assert.not.match(r.stderr + r.stdout, 'not-a-number-123')
    assert.not.ok(existsSync(join(dir, 'x.db')))
  } finally {
    rmDir(dir)
  }
})

test('a secret input cannot have a default: the pipeline file is stored with every run', async () => {
  const dir = tmpDir({'p.yaml': 'name: x\ninputs:\n  tok: {secret: true, default: hunter22}\nsteps:\n  - id: a\n    uses: noop\n'})
  try {
    const r = await adw(['validate', 'p.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr + r.stdout)
    assert.match(r.stdout + r.stderr, 'p.yaml:3:32: Input "tok" is secret: it cannot have a default')
  } finally {
    rmDir(dir)
  }
})

test.run()
