import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {resultFailure, usageLimitFailure} from '../../src/plugins/claude-code/failure.js'
import {StreamParser} from '../../src/plugins/claude-code/stream.js'
import type {Usage} from '../../src/plugins/types.js'
import {ROOT, tmpDir} from '../helpers/cli.js'
import {FAKE_DIR, type Row} from './claude-code.helpers.js'

// Transcripts of the real CLI (test/fixtures/claude-code/record.ts), parsed as adw parses a live stream.
const DIR = join(ROOT, 'test/fixtures/claude-code')
const CWD = '/work/project'
const lines = (name: string) => readFileSync(join(DIR, `${name}.jsonl`), 'utf8').replaceAll('__CWD__', CWD).trim().split('\n')

function parse(name: string) {
  const rows: Row[] = []
  const usages: Usage[] = []
  const progressed: string[] = []
  const fatal: string[] = []
  const ctx = {workingDir: CWD, log: (level: any, type: any, message: string, details?: unknown) => void rows.push({level, type, message, details}), progress: (t: string) => void progressed.push(t), reportUsage: (u: Usage) => void usages.push(u)}
  const parser = new StreamParser(ctx, undefined, m => void fatal.push(m))
  for (const l of lines(name)) parser.line(l)
  return {parser, rows, usages, progressed, fatal, failure: parser.result && resultFailure(parser.result, parser.synthetic)}
}

test('real success: tool calls logged, usage per model with the [1m] tag stripped, no failure', () => {
  const {parser, rows, usages, failure} = parse('write-accept')
  assert.is(failure, undefined)
  assert.is(parser.model, 'claude-opus-4-8')
  assert.equal(usages.map(u => u.model), ['claude-opus-4-8'])
  assert.is(usages[0].costUsd, parser.result!.total_cost_usd)
  assert.equal(rows.filter(r => r.type === 'tool_call').map(r => r.message.replace(/\(\d+ chars\)/, '(n chars)')), ['Write hello.txt', 'Write hello.txt → ok (n chars)'])
  assert.ok(rows.some(r => r.level === 'INFO' && r.type === 'output' && r.message === 'Done.\nCreated hello.txt'))
})

test('real denial: a "success" result with permission_denials names the tool', () => {
  const {parser, rows, failure} = parse('denied')
  assert.is(failure, undefined, 'the result itself is a success: the executor fails the step on the denial')
  assert.equal(parser.result!.permission_denials!.map(d => d.tool_name), ['Write'])
  assert.ok(rows.some(r => r.level === 'WARNING' && r.message === 'Permission denied: Write plan.md'))
  assert.ok(rows.some(r => r.level === 'WARNING' && /Write plan\.md → error: .*haven't granted it yet/.test(r.message)))
})

test('real 401: the first api_retry is fatal, with a message about the key; the retry is a WARNING and live', () => {
  const {rows, progressed, fatal, failure} = parse('auth-401')
  assert.is(fatal.length, 1)
  assert.match(fatal[0], 'Claude Code could not authenticate: API status 401, authentication_failed. Check ANTHROPIC_API_KEY')
  assert.ok(rows.some(r => r.level === 'WARNING' && /^Claude Code API error 401 \(authentication_failed\): retry 1 of 1 in \d\.\d s$/.test(r.message)))
  assert.match(progressed.join('\n'), 'API error 401')
  assert.match(String(failure), 'Claude Code could not authenticate: API status 401', 'the result says the same if claude got that far')
})

test('real 500: is_error with subtype "success" fails with the status; the synthetic message is not model output', () => {
  const {rows, usages, failure} = parse('api-500')
  assert.match(String(failure), /^Claude Code failed: the API answered 500 \(1 turns\): API Error: 500/)
  assert.not.match(String(failure), /success/i)
  assert.not.ok(rows.some(r => r.level === 'INFO' && r.type === 'output'))
  assert.ok(rows.some(r => r.level === 'WARNING' && r.message.startsWith('Claude Code: API Error: 500')))
  assert.is(usages.length, 0)
})

test('real "Not logged in" (no key at all): a failure about the key, not a success', () => {
  const {failure, usages} = parse('not-logged-in')
  assert.is(failure, 'Claude Code could not authenticate: Not logged in · Please run /login. Check ANTHROPIC_API_KEY (or log Claude Code in with `claude /login`), and ANTHROPIC_BASE_URL if you set one.')
  assert.is(usages.length, 0)
})

test('real budget stop: the step fails saying the budget is spent', () => {
  const {failure, usages} = parse('max-budget')
  assert.match(String(failure), /^Claude Code stopped: the step's budget is spent \(\$0\.\d{4}; raise maxBudgetUsd\): Reached maximum budget \(\$0\.0015\)$/)
  assert.ok(usages[0].costUsd! > 0.0015, 'what it spent is booked')
})

test('real max turns: the reason comes from errors[] and terminal_reason', () => {
  const {failure, usages} = parse('max-turns')
  assert.is(failure, "Claude Code stopped at the turn limit (2 turns; raise the step's maxTurns): Reached maximum number of turns (1)")
  assert.is(usages.length, 1, 'the turns it took are booked')
})

test('real retry then success: a WARNING per retry, and cache tokens kept apart from input tokens', () => {
  const {rows, usages, failure, fatal} = parse('retry-overloaded')
  assert.is(failure, undefined)
  assert.is(fatal.length, 0, 'an overloaded API is worth retrying')
  assert.ok(rows.some(r => r.level === 'WARNING' && /^Claude Code API error 529 \(overloaded\): retry 1 of 10/.test(r.message)))
  assert.equal({...usages[0], costUsd: undefined}, {inputTokens: 100, outputTokens: 20, cacheCreationTokens: 200, cacheReadTokens: 1000, costUsd: undefined, model: 'claude-opus-4-8'})
})

test('real structured output: the validated answer is in structured_output', () => {
  const {parser, rows, failure} = parse('structured-output')
  assert.is(failure, undefined)
  assert.equal(parser.result!.structured_output, {verdict: 'PASS'})
  assert.not.ok(rows.some(r => r.type === 'tool_call' && r.message.startsWith('tool →')), 'the enforcement nudge is no tool result')
})

test('real usage limit (a subscription, recorded against the fake API): never a success, kind quota with the reset time', () => {
  const {parser, rows, usages, failure} = parse('usage-limit')
  assert.ok(failure, 'the is_error result is a failure')
  assert.equal(parser.usageLimit, {resetsAt: Date.UTC(2027, 0, 1, 15) / 1000, type: 'five_hour'})
  assert.ok(rows.some(r => r.level === 'WARNING' && r.message === 'Claude Code hit a usage limit (five_hour); resets at 2027-01-01T15:00:00.000Z'))
  assert.equal(usages, [])
  const limited = usageLimitFailure(parser.result, parser.usageLimit, Date.UTC(2027, 0, 1, 12))
  assert.is(limited?.kind, 'quota')
  assert.is(limited?.retryable, false)
  assert.is(limited?.resetAt, '2027-01-01T15:00:00.000Z')
  assert.is(limited?.retryAfterMs, 3 * 3_600_000)
  assert.is(limited?.message, "rate_limited: Claude Code hit its usage limit (five-hour); it resets at 2027-01-01T15:00:00.000Z (in 3h 0m): You've hit your session limit · resets Jan 1, 2027, 3pm (UTC). The step is not retried before then: resume the run after the reset (adw run --resume --adw-id <id>).")
  // An ordinary API error is not a usage limit.
  assert.is(usageLimitFailure(parse('api-500').parser.result, undefined), undefined)
})

test('under a USD budget the stream is priced call by call and reported once it crosses what was left', async () => {
  const {PRICES} = await import('../../src/budget/prices.js')
  const usages: Usage[] = []
  const rows: Row[] = []
  const budget = {remaining: () => ({usd: 0.000001}), prices: PRICES}
  const ctx = {workingDir: CWD, budget, log: (level: any, type: any, message: string) => void rows.push({level, type, message}), progress: () => {}, reportUsage: (u: Usage) => void usages.push(u)}
  const parser = new StreamParser(ctx, undefined)
  for (const l of lines('write-accept')) parser.line(l)
  assert.equal(usages.length, 1, 'reported once, at the crossing; the result does not add it again')
  assert.is(usages[0].model, 'claude-opus-4-8')
  assert.is(usages[0].costUsd, undefined, 'priced by the engine from the same table')
  assert.ok((usages[0].inputTokens ?? 0) + (usages[0].cacheCreationTokens ?? 0) + (usages[0].cacheReadTokens ?? 0) > 0)
  assert.ok(rows.some(r => r.type === 'cost_update' && r.message.includes('reached the $0.0000 left in the budget')))
})

// --- The hand-written fake claude may only print what the real one does.

/** `type/subtype`, with `<synthetic>` assistants and each content block type told apart. */
function shapes(line: string): {shape: string; keys: string[]}[] {
  const e = JSON.parse(line)
  const base = [e.type, e.subtype, e.message?.model === '<synthetic>' ? 'synthetic' : undefined].filter(Boolean).join('/')
  const out = [{shape: base, keys: Object.keys(e)}]
  for (const b of Array.isArray(e.message?.content) ? e.message.content : []) out.push({shape: `${base} block ${b.type}`, keys: Object.keys(b)})
  return out
}

function realShapes(): Map<string, Set<string>> {
  const real = new Map<string, Set<string>>()
  for (const f of readdirSync(DIR).filter(f => f.endsWith('.jsonl'))) {
    for (const l of lines(f.replace(/\.jsonl$/, ''))) {
      for (const {shape, keys} of shapes(l)) keys.forEach(k => real.set(shape, (real.get(shape) ?? new Set()).add(k)))
    }
  }
  return real
}

/** Scenarios that inject faults the real CLI cannot be made to show (bad lines, crashes, hangs). */
const FAULTS = new Set(['garbage-line', 'crash', 'hang'])
const SCENARIOS = ['success', 'error-result', 'api-error', 'rate-limited', 'usage-limit', 'usage-limit-event', 'auth-retry', 'retry-then-success', 'denied', 'slow-lines', 'json-review', 'json-fix']

test('every event the fake claude prints has a shape (type, subtype, keys, blocks) seen in a real transcript', async () => {
  const real = realShapes()
  const cwd = tmpDir({}, 'adw-cc-shapes-') // the fake's success writes hello.txt where it runs
  const source = readFileSync(join(FAKE_DIR, 'claude'), 'utf8')
  const all = [...source.matchAll(/case '([a-z-]+)'/g)].map(m => m[1])
  assert.equal(all.filter(s => !FAULTS.has(s)).sort(), [...SCENARIOS].sort(), 'a new fake scenario must be checked here or listed as a fault')
  for (const scenario of SCENARIOS) {
    const variants = scenario.startsWith('json-') ? [['-p', '--', 'x'], ['-p', '--json-schema', '{}', '--', 'x']] : [['-p', '--', 'x']]
    for (const args of variants) {
      // auth-retry waits a minute between retries: its first lines are enough.
      const r = await execa(join(FAKE_DIR, 'claude'), args, {env: {FAKE_CLAUDE_SCENARIO: scenario}, reject: false, timeout: scenario === 'auth-retry' ? 1500 : 10_000, cwd})
      const out = String(r.stdout).trim().split('\n').filter(Boolean)
      assert.ok(out.length > 0, `${scenario} printed nothing`)
      for (const l of out) {
        for (const {shape, keys} of shapes(l)) {
          const seen = real.get(shape)
          assert.ok(seen, `fake ${scenario}: no real transcript has a "${shape}" event`)
          const extra = keys.filter(k => !seen.has(k))
          assert.equal(extra, [], `fake ${scenario}: "${shape}" has keys the real CLI never sends`)
        }
      }
    }
  }
})

test.run()
