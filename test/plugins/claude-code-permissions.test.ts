import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {claudeCode} from '../../src/plugins/claude-code.js'
import {tmpDir} from '../helpers/cli.js'
import {makeCtx, rejection} from './claude-code.helpers.js'

const flagValue = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined)

test('permission mode: acceptEdits by default; ADW_CLAUDE_PERMISSION_MODE, then with.permissionMode, override it', async () => {
  let ctx = makeCtx()
  await claudeCode.run({prompt: 'x'}, ctx)
  assert.is(flagValue(ctx.argv(), '--permission-mode'), 'acceptEdits')
  ctx = makeCtx({env: {ADW_CLAUDE_PERMISSION_MODE: 'default'}})
  await claudeCode.run({prompt: 'x'}, ctx)
  assert.is(flagValue(ctx.argv(), '--permission-mode'), 'default')
  await claudeCode.run({prompt: 'x', permissionMode: 'plan'}, ctx)
  assert.is(flagValue(ctx.argv(), '--permission-mode'), 'plan')
  const bad = makeCtx({env: {ADW_CLAUDE_PERMISSION_MODE: 'yolo'}})
  assert.match(String(claudeCode.preflight!({env: bad.env, workingDir: bad.workingDir})), 'ADW_CLAUDE_PERMISSION_MODE is "yolo", which is not a Claude Code permission mode')
})

test('bypassPermissions is refused (before the run and at the step) unless ADW_CLAUDE_ALLOW_BYPASS=1 is exported', async () => {
  const ctx = makeCtx({env: {ADW_CLAUDE_ALLOW_BYPASS: '1'}}) // in the step env (e.g. from .env): not enough
  const refusal = claudeCode.preflight!({env: ctx.env, workingDir: ctx.workingDir, options: [{prompt: 'x', permissionMode: 'bypassPermissions'}]} as any)
  assert.match(String(refusal), 'adw refuses it unless you accept that: export ADW_CLAUDE_ALLOW_BYPASS=1')
  const err = await rejection(claudeCode.run({prompt: 'x', permissionMode: 'bypassPermissions'}, ctx))
  assert.match(err.message, 'permissionMode bypassPermissions lets Claude Code run every tool')
  for (const args of [['--dangerously-skip-permissions'], ['--permission-mode', 'bypassPermissions'], ['--permission-mode=bypassPermissions']]) {
    assert.match((await rejection(claudeCode.run({prompt: 'x', args}, ctx))).message, 'adw refuses it', `args ${args.join(' ')} cannot slip past`)
  }
  process.env.ADW_CLAUDE_ALLOW_BYPASS = '1'
  try {
    await claudeCode.run({prompt: 'x', permissionMode: 'bypassPermissions'}, ctx)
    assert.is(flagValue(ctx.argv(), '--permission-mode'), 'bypassPermissions')
  } finally {
    delete process.env.ADW_CLAUDE_ALLOW_BYPASS
  }
})

test('a permission denial fails the step, naming the tool and how to allow it; onDenied: warn goes on', async () => {
  const ctx = makeCtx({scenario: 'denied'})
  const err = await rejection(claudeCode.run({prompt: 'Write the plan'}, ctx))
  assert.match(err.message, 'Claude Code was denied "Write", so the step did not do all it was asked.')
  assert.match(err.message, 'Allow Write with permissionMode: acceptEdits, or allowedTools: [Write]')
  assert.match(err.message, 'onDenied: warn')
  assert.ok(ctx.rows.some(r => r.level === 'WARNING' && r.message === 'Permission denied: Write plan.md'))
  assert.is(ctx.usages.length, 1, 'what the session cost is still booked')

  const warn = makeCtx({scenario: 'denied'})
  const result = await claudeCode.run({prompt: 'Write the plan', onDenied: 'warn'}, warn)
  assert.is(result?.outputs?.text, 'I could not write the plan.')
  assert.ok(warn.rows.some(r => r.level === 'WARNING' && /Going on despite 1 permission denial\(s\) \(onDenied: warn\): Write/.test(r.message)))
})

test('a refused key stops claude at its first retry, with a message about the key', async () => {
  const ctx = makeCtx({scenario: 'auth-retry'}) // the fake would retry for 10 minutes
  const t0 = Date.now()
  const err = await rejection(claudeCode.run({prompt: 'x'}, ctx))
  assert.ok(Date.now() - t0 < 10_000, `failed after ${Date.now() - t0} ms`)
  assert.match(err.message, 'Claude Code could not authenticate: API status 401, authentication_failed. Check ANTHROPIC_API_KEY')
  assert.ok(ctx.rows.some(r => r.level === 'WARNING' && r.message === 'Claude Code API error 401 (authentication_failed): retry 1 of 10 in 0.6 s'))
  assert.ok(ctx.progressed.some(p => p.text === 'API error 401 (authentication_failed): retry 1 of 10 in 0.6 s'), 'shown live')
})

test('API retries are shown live and logged at WARNING; the retry cap reaches claude as CLAUDE_CODE_MAX_RETRIES', async () => {
  const envFile = join(tmpDir(), 'env.json')
  const ctx = makeCtx({scenario: 'retry-then-success', env: {FAKE_CLAUDE_ENV_FILE: envFile, CLAUDE_CODE_MAX_RETRIES: '7'}})
  const result = await claudeCode.run({prompt: 'x'}, ctx)
  assert.is(result?.outputs?.text, 'Got through.')
  const warnings = ctx.rows.filter(r => r.level === 'WARNING').map(r => r.message)
  assert.equal(warnings, ['Claude Code API error 529 (overloaded): retry 1 of 10 in 0.6 s', 'Claude Code API error 529 (overloaded): retry 2 of 10 in 1.2 s'])
  assert.ok(ctx.progressed.some(p => p.text === 'API error 529 (overloaded): retry 2 of 10 in 1.2 s'))
  assert.is(JSON.parse(readFileSync(envFile, 'utf8')).CLAUDE_CODE_MAX_RETRIES, '7', "the user's own cap is kept")
  await claudeCode.run({prompt: 'x', maxRetries: 2}, ctx)
  assert.is(JSON.parse(readFileSync(envFile, 'utf8')).CLAUDE_CODE_MAX_RETRIES, '2', 'with.maxRetries wins')
})

test("under a step's retry: policy claude makes no API retries of its own (CLAUDE_CODE_MAX_RETRIES=0, whatever the environment says), unless the step's maxRetries asks", async () => {
  const envFile = join(tmpDir(), 'env.json')
  const ctx = {...makeCtx({scenario: 'retry-then-success', env: {FAKE_CLAUDE_ENV_FILE: envFile, CLAUDE_CODE_MAX_RETRIES: '7'}}), stepRetries: true}
  await claudeCode.run({prompt: 'x'}, ctx)
  assert.is(JSON.parse(readFileSync(envFile, 'utf8')).CLAUDE_CODE_MAX_RETRIES, '0', 'the engine retries the step; claude does not retry under it')
  await claudeCode.run({prompt: 'x', maxRetries: 2}, ctx)
  assert.is(JSON.parse(readFileSync(envFile, 'utf8')).CLAUDE_CODE_MAX_RETRIES, '2', 'an explicit with.maxRetries is kept')
})

test('an API error that Claude Code shapes as "success" fails the step with the status, and is never called a success', async () => {
  const ctx = makeCtx({scenario: 'api-error'})
  const err = await rejection(claudeCode.run({prompt: 'x'}, ctx))
  assert.match(err.message, 'Claude Code failed: the API answered 500 (1 turns): API Error: 500 api_error')
  assert.not.match(err.message, /success/i)
  assert.not.ok(ctx.rows.some(r => r.level === 'INFO' && r.type === 'output'), 'the synthetic message is not model output')
  assert.ok(ctx.rows.some(r => r.level === 'WARNING' && r.message.startsWith('Claude Code: API Error: 500')))
  const perf = ctx.rows.find(r => r.type === 'performance')
  assert.match(perf!.message, 'Claude Code failed (500): 1 turns')
  assert.is(ctx.usages.length, 0, 'nothing spent, nothing booked')
})

test('usage: one row per model from modelUsage, the [1m] tag stripped, cache tokens apart', async () => {
  const ctx = makeCtx({model: 'claude-opus-4-8'})
  await claudeCode.run({prompt: 'x'}, ctx)
  assert.equal(ctx.usages, [{inputTokens: 120, outputTokens: 45, cacheCreationTokens: 300, cacheReadTokens: 2000, costUsd: 0.0123, model: 'claude-opus-4-8'}])
  assert.ok(ctx.rows.some(r => r.message === 'Claude Code session sess-fake-0001 started (model claude-opus-4-8)'))
})

test('budget, retries, setting sources and disallowed tools map to claude flags and environment', async () => {
  const ctx = makeCtx()
  await claudeCode.run({prompt: 'x', maxBudgetUsd: 0.5, settingSources: ['user', 'local'], disallowedTools: ['WebFetch']}, ctx)
  const argv = ctx.argv()
  assert.is(flagValue(argv, '--max-budget-usd'), '0.5')
  assert.is(flagValue(argv, '--setting-sources'), 'user,local')
  assert.is(flagValue(argv, '--disallowedTools'), 'WebFetch')
})

test.run()
