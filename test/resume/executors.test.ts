import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {adw, rmDir, ROOT} from '../helpers/cli.js'
import {project, rows} from './resume.helpers.js'

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude')

// An agent step run on Claude Code with --executor; the first attempt crashes.
const YAML = `name: on-claude
steps:
  - id: ask
    uses: agent
    with: {prompt: "say hello"}
`

test('--resume runs the same --executor substitutions the run started with', async () => {
  const {dir, db} = project(YAML)
  const env = (scenario: string) => ({PATH: `${FAKE_CLAUDE}:${process.env.PATH}`, FAKE_CLAUDE_SCENARIO: scenario})
  try {
    const first = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'alias-1', '--executor', 'agent=claude-code', '-q'], {cwd: dir, env: env('crash')})
    assert.is(first.exitCode, 1, first.stderr)
    assert.is(rows(db, 'SELECT executor_aliases FROM runs')[0].executor_aliases, '["agent=claude-code"]')

    // No ANTHROPIC_API_KEY anywhere: resuming on `agent` would be refused by its preflight (exit 2).
    const again = await adw(['run', '--resume', '--adw-id', 'alias-1', '--db', db, '-q'], {cwd: dir, env: env('success')})
    assert.is(again.exitCode, 0, again.stderr + again.stdout)
    assert.match(again.stderr, /Executors as when the run started: --executor agent=claude-code/)
    assert.equal(
      rows(db, 'SELECT step_id, executor, status FROM steps ORDER BY id').map(r => `${r.step_id}:${r.executor}:${r.status}`),
      ['ask:claude-code:failed', 'ask:claude-code:succeeded'],
    )
  } finally {
    rmDir(dir)
  }
})

test.run()
