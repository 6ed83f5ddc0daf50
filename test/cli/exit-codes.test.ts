// README "Commands": exit 0 success, 1 a run failed, 2 bad usage or an invalid pipeline/config,
// 130 interrupted; a user mistake prints `Error: …` and `Try: …` lines without a stack trace, and
// anything else says it is a bug (the stack only with DEBUG). Also formatDiagnostics, which every
// file:line:col message goes through.
import {execa} from 'execa'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {AdwError, formatAdwError, formatDiagnostics, MAX_PRINTED_DIAGNOSTICS, ValidationError} from '../../src/errors.js'
import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {until, waitingFor} from '../helpers/deadline.js'

const PIPE = (step: string) => `name: e\nsteps:\n  - id: a\n    uses: noop\n${step}`
const STACK = /\n\s+at .*:\d+:\d+/

test('a run that succeeds exits 0; one whose step fails exits 1 and says why', async () => {
  const dir = tmpDir({'ok.yaml': PIPE(''), 'bad.yaml': PIPE('    with: {fail: "no luck"}\n')})
  try {
    const ok = await adw(['run', 'ok.yaml', '--db', join(dir, 'x.db'), '-q'], {cwd: dir})
    assert.is(ok.exitCode, 0, ok.stderr)
    const bad = await adw(['run', 'bad.yaml', '--db', join(dir, 'x.db'), '-q'], {cwd: dir})
    assert.is(bad.exitCode, 1, bad.stderr)
    assert.match(bad.stdout, /✖ run \w+ failed after .*: step a failed: no luck/)
    assert.not.match(bad.stderr, STACK)
  } finally {
    rmDir(dir)
  }
})

test('Ctrl-C during a run exits 130 and records it cancelled', async () => {
  const dir = tmpDir({'p.yaml': PIPE('    with: {sleepMs: 120000}\n')})
  const db = join(dir, 'x.db')
  try {
    const sub = execa(ADW, ['run', 'p.yaml', '--db', db, '--adw-id', 'c1', '--json'], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
    let out = ''
    sub.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')))
    await until(() => out.includes('"type":"step:start"'), 'adw run to start step a', 30_000)
    sub.kill('SIGINT')
    const r = await waitingFor('adw run to exit after Ctrl-C', sub)
    assert.is(r.exitCode, 130, String(r.stderr))
    assert.not.match(String(r.stderr), 'cancelling the run', 'with --json, nothing but JSON is printed (the message is for the default view)')
    const conn = new DatabaseSync(db, {readOnly: true})
    assert.is((conn.prepare('SELECT status FROM runs').get() as {status: string}).status, 'cancelled')
    conn.close()
  } finally {
    rmDir(dir)
  }
})

test('a user mistake exits 2 with `Error:` and one `Try:` line per suggestion, no stack trace', async () => {
  const dir = tmpDir()
  try {
    const r = await adw(['run', 'nosuch', '--db', join(dir, 'x.db')], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.is(r.stdout, '')
    const lines = r.stderr.split('\n')
    assert.match(lines[0], /^Error: pipeline "nosuch" not found: /)
    assert.match(lines[1], /^Try: adw run plan-build --prompt/)
    assert.is(lines.length, 2, r.stderr)
    const resume = await adw(['run', '--resume', '--db', join(dir, 'x.db')], {cwd: dir})
    assert.is(resume.exitCode, 2)
    assert.is(resume.stderr, 'Error: --resume needs --adw-id <id>: the run to continue\nTry: adw runs --status interrupted  (or failed, cancelled) lists candidates')
    const extra = await adw(['run', 'p.yaml', '--resume', '--adw-id', 'r1', '--prompt', 'x', '--input', 'a=b', '--working-dir', '.', '--db', join(dir, 'x.db')], {cwd: dir})
    assert.is(extra.exitCode, 2)
    assert.is(extra.stderr, 'Error: --resume continues run "r1" with the pipeline snapshot, inputs and working directory stored with it; leave out the pipeline argument (p.yaml), --prompt, --working-dir\nTry: adw run --resume --adw-id r1\nTry: adw run --resume --adw-id r1 --pipeline p.yaml  (continue with an edited pipeline file)')
    const none = await adw(['run', '--db', join(dir, 'x.db')], {cwd: dir})
    assert.is(none.exitCode, 2)
    assert.match(none.stderr, /^Error: Missing the pipeline to run: a file or a bare name\nTry: adw run plan-build --prompt "\.\.\."\nTry: adw run --resume --adw-id <id>/)
  } finally {
    rmDir(dir)
  }
})

test('a bad flag, a flag value of the wrong kind or an unknown command exits 2', async () => {
  for (const args of [['runs', '--bogus'], ['runs', '--limit', 'abc'], ['logs'], ['rnu']]) {
    const r = await adw(args)
    assert.is(r.exitCode, 2, `adw ${args.join(' ')}: ${r.stderr}`)
    assert.not.match(r.stderr, STACK)
  }
})

test('anything else is a bug: exit 1, `Error:` and how to get the stack; DEBUG=1 prints the stack', async () => {
  // A database of the current schema version whose tables are missing: a query fails in a way no user mistake explains.
  const dir = tmpDir()
  const db = join(dir, 'x.db')
  const {SCHEMA_VERSION} = await import('../../src/store/schema.js')
  const conn = new DatabaseSync(db)
  conn.exec(`CREATE TABLE unrelated (x); PRAGMA user_version = ${SCHEMA_VERSION}`)
  conn.close()
  try {
    const r = await adw(['runs', '--db', db])
    assert.is(r.exitCode, 1, r.stderr)
    const lines = r.stderr.split('\n')
    assert.match(lines[0], /^Error: .*no such table/)
    assert.is(lines[1], 'This is a bug in adw; run again with DEBUG=1 for the stack trace and report it.')
    assert.is(lines.length, 2)
    const debug = await adw(['runs', '--db', db], {env: {DEBUG: '1'}})
    assert.is(debug.exitCode, 1)
    assert.match(debug.stderr, STACK)
    assert.not.match(debug.stderr, 'This is a bug in adw; run again')
  } finally {
    rmDir(dir)
  }
})

test('AdwError: exit code 2 unless given, suggestions, cause; formatAdwError', () => {
  const cause = new Error('root')
  const e = new AdwError('USAGE', 'bad thing', {suggestions: ['do this', 'or that'], cause})
  assert.is(e.exitCode, 2)
  assert.is(e.name, 'AdwError')
  assert.is(e.code, 'USAGE')
  assert.is(e.cause, cause)
  assert.instance(e, Error)
  assert.is(formatAdwError(e), 'Error: bad thing\nTry: do this\nTry: or that')
  const plain = new AdwError('RUN_LOCKED', 'busy', {exitCode: 3})
  assert.is(plain.exitCode, 3)
  assert.equal(plain.suggestions, [])
  assert.is(plain.cause, undefined)
  assert.not.ok('cause' in plain)
  assert.is(formatAdwError(plain), 'Error: busy')
})

test('formatDiagnostics: file:line:col, the source line and a caret under the column', () => {
  const d = {file: 'p.yaml', line: 12, col: 11, message: 'Unknown executor "shel"', sourceLine: '    uses: shel'}
  assert.is(formatDiagnostics([d]), `p.yaml:12:11: Unknown executor "shel"\n  12 |     uses: shel\n${' '.repeat(17)}^`)
  assert.is(formatDiagnostics([{...d, sourceLine: undefined}]), 'p.yaml:12:11: Unknown executor "shel"')
  assert.is(formatDiagnostics([{...d, col: 1, line: 3, sourceLine: 'x'}]), 'p.yaml:3:1: Unknown executor "shel"\n  3 | x\n      ^')
  assert.is(formatDiagnostics([]), '')
})

test('formatDiagnostics: a line longer than 200 characters is cut to the 200 before the column', () => {
  const long = 'a'.repeat(300) + 'X' + 'b'.repeat(300)
  const out = formatDiagnostics([{file: 'm.yaml', line: 1, col: 301, message: 'here', sourceLine: long}]).split('\n')
  assert.is(out[1], `  1 | ${long.slice(101, 301)}…`, 'the 200 characters up to the column X')
  assert.is(out[1].length, '  1 | '.length + 200 + 1)
  assert.is(out[2].indexOf('^'), '  1 | '.length + 199)
  const early = formatDiagnostics([{file: 'm.yaml', line: 1, col: 5, message: 'here', sourceLine: long}]).split('\n')
  assert.is(early[1], `  1 | ${long.slice(0, 200)}…`)
  assert.is(early[2].indexOf('^'), '  1 | '.length + 4)
  const exact = 'c'.repeat(200)
  assert.is(formatDiagnostics([{file: 'm.yaml', line: 1, col: 200, message: 'end', sourceLine: exact}]).split('\n')[1], `  1 | ${exact}`)
  const atEnd = formatDiagnostics([{file: 'm.yaml', line: 1, col: 201, message: 'after the end', sourceLine: exact}]).split('\n')
  assert.is(atEnd[1], `  1 | ${exact}`, 'a line of 200 is never cut, even with the caret just past its end')
  assert.is(atEnd[2].indexOf('^'), '  1 | '.length + 200)
})

test('formatDiagnostics: past the limit, one line says how many more and where to see them', () => {
  const many = Array.from({length: MAX_PRINTED_DIAGNOSTICS + 2}, (_, i) => ({file: 'big.yaml', line: i + 1, col: 1, message: `problem ${i}`}))
  const out = formatDiagnostics(many, {more: f => `adw validate ${f} --json lists every one`}).split('\n')
  assert.is(MAX_PRINTED_DIAGNOSTICS, 50)
  assert.is(out.length, 51)
  assert.is(out[49], 'big.yaml:50:1: problem 49')
  assert.is(out[50], '… and 2 more problems in big.yaml (52 in all; adw validate big.yaml --json lists every one)')
  assert.is(formatDiagnostics(many.slice(0, 4), {limit: 3}).split('\n')[3], '… and 1 more problem in big.yaml (4 in all)')
  const v = new ValidationError(many)
  assert.is(v.code, 'PIPELINE_INVALID')
  assert.is(v.exitCode, 2)
  assert.is(v.diagnostics, many)
  assert.match(v.message, '(52 in all; adw validate big.yaml --json lists every one)')
})

test.run()
