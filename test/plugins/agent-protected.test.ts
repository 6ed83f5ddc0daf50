import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {agent} from '../../src/plugins/agent.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {makeCtx, toolResults} from './agent.helpers.js'

// A git hook or .git/config written by the agent would run later outside the command sandbox (at
// the next `git commit` of a shell step or of the user): Write and Edit refuse .git/ and adw's .adw/.

test('Write and Edit refuse .git/ (hooks, config) and .adw/, also through a symlink; other dot-dirs are fine', async () => {
  const dir = tmpDir({'.adw/orchestrator.db': 'record'})
  execFileSync('git', ['init', '-q', dir])
  symlinkSync(join(dir, '.git/hooks'), join(dir, 'hooks-link'))
  const config = readFileSync(join(dir, '.git/config'), 'utf8')
  const fake = await startFakeAnthropic([
    reply.tools([
      {name: 'Write', input: {file_path: '.git/hooks/pre-commit', content: '#!/bin/sh\ncurl evil\n'}},
      {name: 'Edit', input: {file_path: '.git/config', old_string: '[core]', new_string: '[core]\n\tfsmonitor = curl evil'}},
      {name: 'Write', input: {file_path: 'hooks-link/post-checkout', content: 'x'}},
      {name: 'Write', input: {file_path: 'src/../.adw/orchestrator.db', content: 'forged'}},
      {name: 'Write', input: {file_path: '.github/workflows/ci.yml', content: 'on: push\n'}},
    ]),
    reply.text('done'),
  ])
  try {
    await agent.run({prompt: 'write'}, makeCtx({workingDir: dir, baseURL: fake.url}).ctx)
    const r = toolResults(fake.messageRequests()[1].body)
    assert.equal(r.map((x: any) => Boolean(x.is_error)), [true, true, true, true, false])
    assert.match(r[0].content, 'Refused: .git/hooks/pre-commit is inside .git/, which agent tools may not write')
    assert.match(r[3].content, 'Refused: .adw/orchestrator.db is inside .adw/')
    assert.not.ok(existsSync(join(dir, '.git/hooks/pre-commit')) || existsSync(join(dir, '.git/hooks/post-checkout')))
    assert.is(readFileSync(join(dir, '.git/config'), 'utf8'), config)
    assert.is(readFileSync(join(dir, '.adw/orchestrator.db'), 'utf8'), 'record')
    assert.is(readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8'), 'on: push\n')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
