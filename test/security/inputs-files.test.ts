import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

const PIPELINE = 'name: t\nsteps:\n  - id: a\n    uses: shell\n    with: {run: echo hi}\n'

/** Exit 2, the expected message, a `Try:` line, and never the words of a crash. */
function userError(r: {exitCode: number; stderr: string; stdout: string}, message: RegExp, fix: RegExp): void {
  assert.is(r.exitCode, 2, r.stderr + r.stdout)
  assert.match(r.stderr, message)
  assert.match(r.stderr, fix)
  assert.not.match(r.stderr, /bug in adw|    at /)
}

test('--db naming a directory: exit 2 for run, runs and logs, with a file path to use instead', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  try {
    mkdirSync(join(dir, 'data'))
    for (const args of [['run', 'p.yaml', '--db', 'data'], ['runs', '--db', 'data'], ['logs', '--adw-id', 'x', '--db', 'data']]) {
      userError(await adw(args, {cwd: dir}), /^Error: The database path \/.*\/data is a directory; adw needs a file \(SQLite\) there$/m, /^Try: name a file in it: --db \/.*\/data\/orchestrator\.db$/m)
    }
    assert.equal(readdirSync(join(dir, 'data')), [], 'nothing written into the directory')
  } finally {
    rmDir(dir)
  }
})

test('--db naming a file that is not SQLite: exit 2, and the file is left exactly as it was', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE, 'notes.txt': 'my notes\n'})
  try {
    for (const args of [['run', 'p.yaml', '--db', 'notes.txt'], ['runs', '--db', 'notes.txt'], ['run', '--resume', '--adw-id', 'x', '--db', 'notes.txt']]) {
      userError(await adw(args, {cwd: dir}), /^Error: \/.*\/notes\.txt is not an SQLite database \(it does not start with "SQLite format 3"\)/m, /^Try: check the path; a new database is created when you name a file that does not exist yet/m)
    }
    assert.equal(readdirSync(dir).sort(), ['notes.txt', 'p.yaml'])
    assert.is(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my notes\n')
  } finally {
    rmDir(dir)
  }
})

test('--db in a folder that does not exist: exit 2 with the mkdir to run; no folder is created. An empty file is a new database.', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE, 'empty.db': ''})
  try {
    userError(await adw(['run', 'p.yaml', '--db', 'tpyo/sub/adw.db'], {cwd: dir}), /^Error: The folder of the database \/.*\/tpyo\/sub\/adw\.db does not exist \(\/.*\/tpyo\/sub\); adw does not create folders for --db$/m, /^Try: create it first: mkdir -p \/.*\/tpyo\/sub$/m)
    assert.not.ok(existsSync(join(dir, 'tpyo')))
    mkdirSync(join(dir, 'tpyo/sub'), {recursive: true})
    assert.is((await adw(['run', 'p.yaml', '--db', 'tpyo/sub/adw.db'], {cwd: dir})).exitCode, 0)
    assert.is((await adw(['run', 'p.yaml', '--db', 'empty.db'], {cwd: dir})).exitCode, 0)
  } finally {
    rmDir(dir)
  }
})

test('adw.config.yaml or .env that is a directory: exit 2 naming it and what to do', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  try {
    mkdirSync(join(dir, 'adw.config.yaml'))
    for (const args of [['run', 'p.yaml', '--db', 'x.db'], ['runs']]) {
      userError(await adw(args, {cwd: dir}), /^Error: The config file \/.*\/adw\.config\.yaml is a directory, not a file$/m, /^Try: adw reads project settings from a YAML file named adw\.config\.yaml: rename or remove this directory/m)
    }
    rmDir(join(dir, 'adw.config.yaml'))
    mkdirSync(join(dir, '.env'))
    for (const args of [['run', 'p.yaml', '--db', 'x.db'], ['runs', '--db', 'x.db']]) {
      userError(await adw(args, {cwd: dir}), /^Error: The \.env file \/.*\/\.env is a directory, not a file$/m, /^Try: adw loads KEY=value lines from a \.env file in the working directory/m)
    }
    assert.not.ok(existsSync(join(dir, 'x.db')), 'nothing written')
  } finally {
    rmDir(dir)
  }
})

test('adw.config.yaml larger than 64 KiB or .env larger than 1 MiB: exit 2 before anything is parsed', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  try {
    const big = `# ${'x'.repeat(2 * 1024 * 1024)}\n`
    writeFileSync(join(dir, 'adw.config.yaml'), big)
    userError(await adw(['run', 'p.yaml', '--db', 'x.db'], {cwd: dir}), /^Error: The config file \/.*\/adw\.config\.yaml is 2\.0 MiB: adw reads at most 64 KiB from it$/m, /^Try: an adw config holds four keys/m)
    rmDir(join(dir, 'adw.config.yaml'))
    writeFileSync(join(dir, '.env'), big)
    userError(await adw(['run', 'p.yaml', '--db', 'x.db'], {cwd: dir}), /^Error: The \.env file \/.*\/\.env is 2\.0 MiB: adw reads at most 1\.0 MiB from it$/m, /^Try: a \.env holds KEY=value lines/m)
    assert.not.ok(existsSync(join(dir, 'x.db')), 'nothing written')
  } finally {
    rmDir(dir)
  }
})

test.run()
