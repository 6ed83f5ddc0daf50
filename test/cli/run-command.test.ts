// README "adw run": what the command itself prints and which flags it honours, as a user sees them:
// the made-up adw id (default view only), --quiet, --verbose, --working-dir, and the flags --resume
// refuses because it would ignore them. Exit codes and Ctrl-C are in exit-codes.test.ts and
// resume/cancel.test.ts.
import {realpathSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'

const PIPE = `name: say
steps:
  - id: a
    uses: shell
    with: {run: 'echo "said-by-step-a in $(pwd)"'}
`

test('the made-up adw id is printed on stderr in the default view, not with --quiet or --json; --verbose streams the step’s output', async () => {
  const dir = tmpDir({'p.yaml': PIPE})
  const db = join(dir, 'x.db')
  try {
    const plain = await adw(['run', 'p.yaml', '--db', db], {cwd: dir})
    assert.is(plain.exitCode, 0, plain.stderr)
    const ids = rows(db, 'SELECT adw_id FROM runs').map(r => r.adw_id)
    assert.is(plain.stderr.trim(), `adw id: ${ids[0]}`)
    assert.not.match(plain.stdout, /^› said-by-step-a/m, 'without --verbose a step’s output is not streamed')

    const quiet = await adw(['run', 'p.yaml', '--db', db, '--quiet'], {cwd: dir})
    assert.is(quiet.exitCode, 0, quiet.stderr)
    assert.is(quiet.stderr, '')
    assert.is(quiet.stdout.trim().split('\n').length, 1, `--quiet prints the outcome line only: ${quiet.stdout}`)
    assert.match(quiet.stdout, /✔ run \w+ succeeded/)

    const json = await adw(['run', 'p.yaml', '--db', db, '--json'], {cwd: dir})
    assert.is(json.exitCode, 0, json.stderr)
    assert.is(json.stderr, '')
    for (const line of json.stdout.trim().split('\n')) JSON.parse(line)

    const verbose = await adw(['run', 'p.yaml', '--db', db, '--verbose'], {cwd: dir})
    assert.is(verbose.exitCode, 0, verbose.stderr)
    assert.match(verbose.stdout, /^› said-by-step-a/m)
    assert.is(rows(db, 'SELECT count(*) AS n FROM runs')[0].n, 4)
  } finally {
    rmDir(dir)
  }
})

test('--working-dir: the steps run in that directory, and the run records it', async () => {
  const dir = tmpDir({'p.yaml': PIPE, 'elsewhere/.keep': ''})
  const db = join(dir, 'x.db')
  try {
    const r = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'wd', '--working-dir', 'elsewhere', '--verbose'], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    const where = realpathSync(join(dir, 'elsewhere'))
    assert.match(r.stdout, `› said-by-step-a in ${where}\n`)
    assert.is(realpathSync(rows(db, 'SELECT working_dir FROM runs')[0].working_dir), where)
  } finally {
    rmDir(dir)
  }
})

test('--resume names exactly the flags it would ignore, each alone', async () => {
  const dir = tmpDir()
  const db = join(dir, 'x.db')
  try {
    const lead = 'Error: --resume continues run "r1" with the pipeline snapshot, inputs and working directory stored with it; leave out'
    for (const [flags, named] of [
      [['p.yaml'], 'the pipeline argument (p.yaml)'],
      [['--prompt', 'x'], '--prompt'],
      [['--prompt', ''], '--prompt'],
      [['--working-dir', '.'], '--working-dir'],
    ] as const) {
      const r = await adw(['run', ...flags, '--resume', '--adw-id', 'r1', '--db', db], {cwd: dir})
      assert.is(r.exitCode, 2, r.stderr)
      // A pipeline argument also gets the way to resume against an edited file.
      const more = flags[0] === 'p.yaml' ? '\nTry: adw run --resume --adw-id r1 --pipeline p.yaml  (continue with an edited pipeline file)' : ''
      assert.is(r.stderr, `${lead} ${named}\nTry: adw run --resume --adw-id r1${more}`)
    }
  } finally {
    rmDir(dir)
  }
})

test('resuming a run that succeeded says there is nothing to resume, exits 0 and runs nothing', async () => {
  const dir = tmpDir({'p.yaml': PIPE})
  const db = join(dir, 'x.db')
  try {
    assert.is((await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'done', '-q'], {cwd: dir})).exitCode, 0)
    const r = await adw(['run', '--resume', '--adw-id', 'done', '--db', db], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stderr, /^Run "done" already succeeded \(finished .+\); nothing to resume\.$/m)
    assert.is(rows(db, 'SELECT count(*) AS n FROM steps')[0].n, 1)
  } finally {
    rmDir(dir)
  }
})

test.run()
