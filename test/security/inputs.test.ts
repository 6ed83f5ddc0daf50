import {execa} from 'execa'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'

/** `steps` steps, each with two problems: an unknown executor and an unknown key. */
const malformed = (steps: number, prefix = 's') =>
  `name: many\nsteps:\n${Array.from({length: steps}, (_, i) => `  - id: ${prefix}${i}\n    uses: nope${i}\n    bogus: 1\n`).join('')}`

/**
 * Runs `adw <args>` in bash with stdout and stderr each through a real pipe whose reader starts a
 * second late (so the pipe fills up while adw writes), into out.txt and err.txt; returns adw's exit code.
 */
async function throughSlowPipes(dir: string, args: string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const script = '"$0" "$@" 2> >(sleep 1; cat > err.txt) | (sleep 1; cat > out.txt); echo "${PIPESTATUS[0]}" > rc; wait'
  const r = await execa('bash', ['-c', script, ADW, ...args], {cwd: dir, env: isolatedEnv(), reject: false, timeout: 120_000})
  assert.is(r.exitCode, 0, r.stderr)
  // The process substitution writing err.txt may finish a moment after bash.
  const deadline = Date.now() + 10_000
  let stderr = ''
  while (Date.now() < deadline) {
    stderr = readFileSync(join(dir, 'err.txt'), 'utf8')
    if (stderr.endsWith('\n') || stderr === '') break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return {exitCode: Number(readFileSync(join(dir, 'rc'), 'utf8')), stdout: readFileSync(join(dir, 'out.txt'), 'utf8'), stderr}
}

test('a 50 MB malformed pipeline: validate and run stop at once with exit 2 and a short message naming the file, the limit and the fix', async () => {
  const dir = tmpDir()
  try {
    const one = '  - id: s\n    uses: nope\n    bogus: 1\n'
    writeFileSync(join(dir, 'big.yaml'), `name: big\nsteps:\n${one.repeat(Math.ceil((50 * 1024 * 1024) / one.length))}`)
    for (const args of [['validate', 'big.yaml'], ['run', 'big.yaml']]) {
      const r = await adw(args, {cwd: dir, timeout: 60_000})
      assert.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr.slice(0, 500)}`)
      assert.match(r.stderr, /Pipeline file (\/.*\/)?big\.yaml is 50\.0 MiB: adw reads at most 1\.0 MiB from it\nTry: Check that this is the pipeline you meant/)
      assert.ok(r.stderr.length < 1000, `bounded message (${r.stderr.length} chars)`)
      assert.not.match(r.stderr, /bug in adw|heap|at .*\.js:\d+/)
    }
    const json = await adw(['validate', 'big.yaml', '--json'], {cwd: dir, timeout: 60_000})
    assert.is(json.exitCode, 2)
    const report = JSON.parse(json.stdout)
    assert.is(report.problems, 1)
    assert.match(report.files[0].error, /^Pipeline file big\.yaml is 50\.0 MiB/)
    assert.match(report.files[0].suggestions[0], /^Check that this is the pipeline you meant/)
  } finally {
    rmDir(dir)
  }
})

test('a pipeline that never ends (/dev/zero) is read no further than the limit: exit 2', async () => {
  const r = await adw(['validate', '/dev/zero'], {timeout: 60_000})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, /^✗ Pipeline file \/dev\/zero is more than 1\.0 MiB: adw reads at most 1\.0 MiB from it$/m)
})

test('validate --json of a pipeline with 10,000 problems, through a slow pipe: complete, valid JSON with every problem and the totals', async () => {
  const dir = tmpDir({'many.yaml': malformed(5000)})
  try {
    const r = await throughSlowPipes(dir, ['validate', 'many.yaml', '--json'])
    assert.is(r.exitCode, 2)
    assert.ok(r.stdout.length > 1024 * 1024, `more than a pipe holds: ${r.stdout.length} bytes`)
    const report = JSON.parse(r.stdout)
    assert.is(report.problems, 10_000)
    assert.is(report.files[0].problems, 10_000)
    assert.is(report.files[0].diagnostics.length, 10_000)
    assert.equal(report.files[0].diagnostics.at(-1), {file: 'many.yaml', line: 15002, col: 5, message: report.files[0].diagnostics.at(-1).message, sourceLine: '    bogus: 1'})
    assert.is(r.stderr, '')
  } finally {
    rmDir(dir)
  }
})

test('validate prints at most 50 problems of a file, then how many more and where to see them all', async () => {
  const dir = tmpDir({'many.yaml': malformed(5000)})
  try {
    const r = await adw(['validate', 'many.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2)
    const located = r.stderr.split('\n').filter(l => /^many\.yaml:\d+:\d+: /.test(l))
    assert.is(located.length, 50)
    assert.match(r.stderr, /\n… and 9950 more problems in many\.yaml \(10000 in all; adw validate many\.yaml --json lists every one\)\n✗ many\.yaml: 10000 problems\n*$/)
    // adw run shows the same bounded list (exit 2, nothing written).
    const run = await adw(['run', 'many.yaml', '--db', 'x.db'], {cwd: dir})
    assert.is(run.exitCode, 2)
    assert.is(run.stderr.split('\n').filter(l => /^(Error: )?\/.*\/many\.yaml:\d+:\d+: /.test(l)).length, 50)
    assert.match(run.stderr, /… and 9950 more problems in \/.*\/many\.yaml \(10000 in all; adw validate \/.*\/many\.yaml --json lists every one\)/)
  } finally {
    rmDir(dir)
  }
})

test('a long stderr through a slow pipe arrives whole: every file of a 60-file validate is reported, to the last line', async () => {
  const files: Record<string, string> = {}
  for (let f = 0; f < 60; f++) files[`p${f}.yaml`] = malformed(40, `f${f}s`)
  const dir = tmpDir(files)
  try {
    const r = await throughSlowPipes(dir, ['validate', ...Object.keys(files)])
    assert.is(r.exitCode, 2)
    assert.ok(r.stderr.length > 256 * 1024, `more than pipes hold: ${r.stderr.length} bytes`)
    const summaries = r.stderr.split('\n').filter(l => l.startsWith('✗ '))
    assert.equal(summaries, Object.keys(files).map(f => `✗ ${f}: 80 problems`))
    assert.ok(r.stderr.endsWith('✗ p59.yaml: 80 problems\n\n'), r.stderr.slice(-200))
  } finally {
    rmDir(dir)
  }
})

test('a pipeline just under 1 MiB with 60,000 keys in one mapping, or one key repeated 60,000 times, is checked without a hang (exit 2 within 60 s)', async () => {
  const fill = (line: (i: number) => string) => {
    let s = 'name: x\nsteps:\n  - id: a\n    uses: noop\n    with:\n'
    for (let i = 0; s.length < 1_000_000; i++) s += line(i)
    return s
  }
  const dir = tmpDir({'keys.yaml': fill(i => `      k${i}: 1\n`), 'dups.yaml': fill(i => `      k: ${i}\n`)})
  try {
    // yaml's own duplicate-key check and a linear search per problem made this quadratic: 30,000
    // keys took 95 s, these would take minutes.
    const keys = await adw(['validate', 'keys.yaml'], {cwd: dir, timeout: 60_000})
    assert.is(keys.exitCode, 2, keys.stderr.slice(-300))
    assert.match(keys.stderr, /^keys\.yaml:6:7: Unknown option "k0" for noop in step "a"/m)
    assert.match(keys.stderr, /✗ keys\.yaml: 6\d{4} problems/)
    const dups = await adw(['validate', 'dups.yaml'], {cwd: dir, timeout: 60_000})
    assert.is(dups.exitCode, 2, dups.stderr.slice(-300))
    assert.match(dups.stderr, /^dups\.yaml:7:7: Duplicate key "k": each key may appear only once in a mapping$/m)
  } finally {
    rmDir(dir)
  }
})

test('loop.maxAttempts and step timeouts have upper bounds, reported at file:line:col', async () => {
  const dir = tmpDir({
    'p.yaml': `name: bounds
steps:
  - id: slow
    uses: shell
    timeout: 25h
    with: {run: 'true'}
  - id: again
    loop: {maxAttempts: 1000, until: 'true'}
    steps:
      - id: body
        uses: noop
`,
  })
  try {
    const r = await adw(['validate', 'p.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, /^p\.yaml:5:14: timeout of step "slow" must be at most 24h, got "25h"; e\.g\. "2h"$/m)
    assert.match(r.stderr, /^p\.yaml:8:25: loop\.maxAttempts of loop "again" must be at most 100, got 1000$/m)
  } finally {
    rmDir(dir)
  }
})

test.run()
