import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {rows} from '../helpers/db.js'
import {reply, routeByPrompt} from '../helpers/fake-anthropic.js'
import {realClaudeEnv, requireRealClaude} from '../helpers/real-claude.js'
import {project, writeFiles} from './replay.helpers.js'

const CLAUDE = requireRealClaude()

const CC = (prompt: string) => `name: cc
steps:
  - id: write
    uses: claude-code
    with:
      prompt: "${prompt}"
      permissionMode: acceptEdits
`

test('a claude-code step replays through the real Claude Code CLI from its transcript: same output, zero API calls; a changed tool result diverges', async () => {
  const p = await project({})
  const dir = p.dir
  try {
    // Claude Code's file tools want absolute paths under the project.
    p.fake.respond(routeByPrompt({'CC-STEP': [reply.tool('Read', {file_path: join(dir, 'README.md')}, 'Reading.'), reply.tool('Write', {file_path: join(dir, 'hello.txt'), content: 'hello from claude\n'}), reply.text('Wrote hello.txt after reading the README.')]}))
    writeFiles(dir, {'cc.yaml': CC('CC-STEP: write hello.txt')})
    const env = {...realClaudeEnv(p.fake.url), ADW_CLAUDE_BIN: CLAUDE}
    let r = await p.adw(['run', 'cc.yaml', '--adw-id', 'cc-orig'], env)
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const calls = p.fake.messageRequests().length
    assert.is(calls, 3)
    r = await p.adw(['replay', 'cc-orig', '--adw-id', 'cc-rp'], env)
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    assert.is(p.fake.messageRequests().length, calls, 'no call reached the API')
    const out = (id: string) => JSON.parse(rows(p.db, "SELECT outputs FROM steps WHERE adw_id = ? AND step_id = 'write'", id)[0].outputs).text
    assert.is(out('cc-rp'), out('cc-orig'))
    assert.match(r.stdout, 'calls answered from the recording; no divergence.')

    writeFiles(dir, {'cc2.yaml': CC('CC-STEP: write hello.txt').replace('steps:\n', 'steps:\n  - id: touch\n    uses: shell\n    with: {run: "echo changed-readme > README.md"}\n').replace('    uses: claude-code', '    needs: [touch]\n    uses: claude-code')})
    r = await p.adw(['replay', 'cc-orig', '--pipeline', 'cc2.yaml', '--check'], env)
    assert.is(r.exitCode, 4, r.stdout + r.stderr)
    assert.match(r.stdout, /step write: diverged at turn 2: tool result of Read: expected ".*# demo.*", got ".*changed-readme/)

    writeFiles(dir, {'cc3.yaml': CC('CC-STEP: write hello.txt in French')})
    r = await p.adw(['replay', 'cc-orig', '--pipeline', 'cc3.yaml', '--check'], env)
    assert.is(r.exitCode, 4, r.stdout + r.stderr)
    assert.match(r.stdout, 'step write: diverged at turn 1: prompt: expected "CC-STEP: write hello.txt", got "CC-STEP: write hello.txt in French')
    assert.is(p.fake.messageRequests().length, calls, 'no call reached the API')
  } finally {
    await p.close()
  }
})

test.run()
