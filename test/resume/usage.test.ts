// With --resume everything comes from the run: flags that would be silently ignored are refused
// (exit 2) before anything runs, and an --executor given on resume replaces the run's own.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, ROOT} from '../helpers/cli.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {adwIn, markers, project, rows, stepRuns} from './resume.helpers.js'

const GATED = `name: gated
inputs:
  word: {type: string, default: plain}
steps:
  - id: gate
    uses: shell
    with:
      run: echo {{inputs.word}} >> ran-gate; test -e open
`

test('--resume refuses --input and --working-dir (exit 2, naming them); nothing runs and the run is untouched', async () => {
  const {dir, db} = project(GATED)
  try {
    const first = await adwIn(dir, ['run', 'p.yaml', '--adw-id', 'u1', '--db', db, '--quiet'])
    assert.is(first.exitCode, 1, first.stderr)
    writeFileSync(join(dir, 'open'), '')
    const before = {...rows(db, 'SELECT * FROM runs')[0]}
    for (const [flags, named] of [
      // --input is only for the inputs stored masked (secret: true); this run has none
      [['--input', 'word=other'], 'with the inputs stored with it; --input is only for the inputs stored masked (none), not word'],
      [['-i', 'word=other'], 'with the inputs stored with it; --input is only for the inputs stored masked (none), not word'],
      [['--working-dir', dir], 'with the pipeline snapshot, inputs and working directory stored with it; leave out --working-dir'],
      [['-w', '.'], 'with the pipeline snapshot, inputs and working directory stored with it; leave out --working-dir'],
      [['--input', 'word=other', '--working-dir', dir], 'with the pipeline snapshot, inputs and working directory stored with it; leave out --working-dir'],
    ] as const) {
      const r = await adwIn(dir, ['run', '--resume', '--adw-id', 'u1', '--db', db, ...flags])
      assert.is(r.exitCode, 2, `${flags.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, `--resume continues run "u1" ${named}`)
      assert.match(r.stderr, 'adw run --resume --adw-id u1')
      assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace')
    }
    assert.equal(markers(dir), {'ran-gate': 1})
    assert.equal({...rows(db, 'SELECT * FROM runs')[0]}, before, 'the run row is untouched')
    const ok = await adwIn(dir, ['run', '--resume', '--adw-id', 'u1', '--db', db, '--quiet'])
    assert.is(ok.exitCode, 0, ok.stderr)
    assert.equal(stepRuns(db), ['gate#0:failed', 'gate#0:succeeded'])
  } finally {
    rmDir(dir)
  }
})

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude')
const ASK = `name: ask
steps:
  - id: ask
    uses: agent
    with: {prompt: "say hello"}
`

test('--executor on --resume replaces the substitutions the run started with', async () => {
  const {dir, db} = project(ASK)
  const fake = await startFakeAnthropic(() => reply.text('hello from the API'))
  const env = {PATH: `${FAKE_CLAUDE}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: 'crash', ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}
  try {
    // Started on Claude Code, which crashes.
    const first = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'over', '--executor', 'agent=claude-code', '-q'], {cwd: dir, env})
    assert.is(first.exitCode, 1, first.stderr)
    assert.is(fake.messageRequests().length, 0)
    // Resumed on the in-process agent (the Messages API) instead.
    const again = await adw(['run', '--resume', '--adw-id', 'over', '--db', db, '--executor', 'agent=agent', '-q'], {cwd: dir, env})
    assert.is(again.exitCode, 0, again.stderr + again.stdout)
    assert.not.match(again.stderr, 'Executors as when the run started')
    assert.is(fake.messageRequests().length, 1)
    assert.equal(
      rows(db, 'SELECT step_id, executor, status, outputs FROM steps ORDER BY id').map(r => `${r.step_id}:${r.executor}:${r.status}:${r.outputs ?? ''}`),
      ['ask:claude-code:failed:{}', 'ask:agent:succeeded:{"text":"hello from the API"}'],
    )
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
