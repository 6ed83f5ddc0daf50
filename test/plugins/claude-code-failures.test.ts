import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {claudeCode} from '../../src/plugins/claude-code.js'
import {tmpDir} from '../helpers/cli.js'
import {until, within} from '../helpers/deadline.js'
import {pidsWithEnv} from '../helpers/process.js'
import {alive, makeCtx, rejection, waitFor} from './claude-code.helpers.js'

const INSTALL = 'npm install -g @anthropic-ai/claude-code'

test('max turns: fails with the reason from errors[] and stderr; usage is still reported', async () => {
  const ctx = makeCtx({scenario: 'error-result'})
  const err = await rejection(claudeCode.run({prompt: 'x'}, ctx))
  assert.match(err.message, "Claude Code stopped at the turn limit (2 turns; raise the step's maxTurns): Reached maximum number of turns (2)")
  assert.match(err.message, 'warning: something odd')
  assert.is(ctx.usages.length, 1)
  assert.is(ctx.usages[0].costUsd, 0.002)
})

test('crash: non-zero exit without a result carries the last 20 stderr lines', async () => {
  const ctx = makeCtx({scenario: 'crash'})
  const err = await rejection(claudeCode.run({prompt: 'x'}, ctx))
  const lines = err.message.split('\n')
  assert.is(lines[0], 'claude exited with code 3 without a result event')
  assert.is(lines[1], 'stderr (last 20 lines):')
  assert.is(lines.at(-1), 'TypeError: fake crash')
  assert.is(lines.length, 22)
  assert.not.ok(err.message.includes('stderr line 6\n'), 'older lines are dropped')
  assert.ok(ctx.rows.some(r => r.level === 'DEBUG' && r.message === 'stderr: stderr line 1'), 'stderr lines are DEBUG rows')
  assert.is(ctx.usages.length, 0)
})

test('missing binary: run and preflight say how to install claude or point at one', async () => {
  const empty = tmpDir()
  const ctx = makeCtx({path: empty})
  const err = await rejection(claudeCode.run({prompt: 'x'}, ctx))
  assert.match(err.message, 'Claude Code CLI not found: "claude" is not on PATH.')
  assert.match(err.message, INSTALL)
  assert.match(err.message, 'ADW_CLAUDE_BIN')
  assert.is(claudeCode.preflight!({env: ctx.env, workingDir: ctx.workingDir}), err.message)

  const viaEnv = claudeCode.preflight!({env: {PATH: empty, ADW_CLAUDE_BIN: '/nowhere/claude'}, workingDir: ctx.workingDir})
  assert.match(String(viaEnv), 'ADW_CLAUDE_BIN is "/nowhere/claude", which is not an executable file.')
  const viaWith = await rejection(claudeCode.run({prompt: 'x', binary: './bin/claude'}, ctx))
  assert.match(viaWith.message, 'with.binary is "./bin/claude", which is not an executable file.')
})

test('preflight passes with claude on PATH, ADW_CLAUDE_BIN, or a binary named by every step', async () => {
  const ctx = makeCtx()
  assert.is(claudeCode.preflight!({env: ctx.env, workingDir: ctx.workingDir}), undefined)
  const fake = join(ctx.env.PATH!.split(':')[0], 'claude')
  assert.is(claudeCode.preflight!({env: {PATH: '/nowhere', ADW_CLAUDE_BIN: fake}, workingDir: ctx.workingDir}), undefined)
  const withOptions = {env: {PATH: '/nowhere'}, workingDir: ctx.workingDir, options: [{prompt: 'a', binary: fake}]}
  assert.is(claudeCode.preflight!(withOptions), undefined)
  withOptions.options.push({prompt: 'b'} as any)
  assert.match(String(claudeCode.preflight!(withOptions)), 'not on PATH')
})

test('with.binary and ADW_CLAUDE_BIN choose another binary (relative paths from the working dir)', async () => {
  const ctx = makeCtx({path: '/usr/bin:/bin', env: {ADW_CLAUDE_BIN: 'not-used-when-with-binary-is-set'}})
  writeFileSync(join(ctx.workingDir, 'my-claude'), `#!/bin/sh\nexec "${process.execPath}" "${join(process.cwd(), 'test/fixtures/fake-claude/claude')}" "$@"\n`)
  chmodSync(join(ctx.workingDir, 'my-claude'), 0o755)
  const result = await claudeCode.run({prompt: 'x', binary: './my-claude'}, ctx)
  assert.is(result?.outputs?.text, 'Created hello.txt')
  const ctx2 = makeCtx({path: '/usr/bin:/bin', env: {ADW_CLAUDE_BIN: join(ctx.workingDir, 'my-claude')}})
  assert.is((await claudeCode.run({prompt: 'x'}, ctx2))?.outputs?.text, 'Created hello.txt')
})

test('abort kills the whole process tree (grandchild included) and rejects promptly', async () => {
  const ctx = makeCtx({scenario: 'hang'})
  const running = claudeCode.run({prompt: 'x'}, ctx)
  await waitFor(() => ctx.progressed.some(p => p.text === 'thinking forever'), 5000, 'the fake to start')
  const pid = Number(readFileSync(ctx.pidFile, 'utf8'))
  assert.ok(alive(pid), 'grandchild sleep runs')
  const t0 = Date.now()
  ctx.controller.abort(new Error('step timed out after 1s'))
  const err = await rejection(running)
  assert.is(err.message, 'step timed out after 1s')
  assert.ok(Date.now() - t0 < 5000, `rejected after ${Date.now() - t0} ms`)
  await waitFor(() => !alive(pid), 5000, `grandchild ${pid} to die`)
})

test('abort escalates to SIGKILL when claude ignores SIGTERM', async () => {
  const ctx = makeCtx({scenario: 'hang', env: {FAKE_CLAUDE_IGNORE_TERM: '1'}})
  const running = claudeCode.run({prompt: 'x'}, ctx)
  await waitFor(() => ctx.progressed.some(p => p.text === 'thinking forever'), 5000, 'the fake to start')
  const pid = Number(readFileSync(ctx.pidFile, 'utf8'))
  const t0 = Date.now()
  ctx.controller.abort()
  await rejection(running)
  const took = Date.now() - t0
  assert.ok(took >= 1900, `rejected after ${took} ms: SIGKILL comes after a 2 s grace`)
  assert.ok(took < 10_000, `rejected after ${took} ms`)
  await waitFor(() => !alive(pid), 5000, `grandchild ${pid} to die`)
  assert.not.ok(ctx.rows.some(r => r.message.includes('after abort')), 'no rows after the step settled')
})

test('an already-aborted signal never leaves a process behind', async () => {
  const ctx = makeCtx({scenario: 'hang'})
  ctx.controller.abort(new Error('cancelled'))
  const err = await within(10_000, 'claudeCode.run to reject on an aborted signal', rejection(claudeCode.run({prompt: 'x'}, ctx)))
  assert.is(err.message, 'cancelled')
  // Every process started for this step carries its FAKE_CLAUDE_ARGV_FILE (the fake's sleep too).
  const ours = `FAKE_CLAUDE_ARGV_FILE=${ctx.argvFile}`
  await until(() => pidsWithEnv(ours).length === 0, "the step's processes (fake claude, its sleep) to be gone", 5000)
})

test.run()
