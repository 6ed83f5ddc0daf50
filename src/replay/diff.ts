/**
 * Where a replayed request leaves the recorded one, in a line a user can act on:
 * `diverged at turn 3: messages[4] (user, tool_result): expected "…old…", got "…new…"`,
 * with the texts cut around their first differing character.
 */
import {canonicalJson} from '../engine/memo.js'
import type {StableRequest} from './request.js'

/** Characters of context shown on each side of the first difference. */
const CONTEXT = 40

export function describeDivergence(turn: number, expected: StableRequest | undefined, got: StableRequest): string {
  if (!expected) return `diverged at turn ${turn}: expected no call (the recorded step ended after ${turn - 1} call${turn === 2 ? '' : 's'}), got a request ending with ${quote(short(textOf(got.messages.at(-1))))}`
  if (expected.model !== got.model) return `diverged at turn ${turn}: model: expected ${expected.model}, got ${got.model}`
  if (canonicalJson(expected.system) !== canonicalJson(got.system)) return `diverged at turn ${turn}: system prompt: ${pair(textOf(expected.system), textOf(got.system))}`
  if (canonicalJson(expected.tools) !== canonicalJson(got.tools)) return `diverged at turn ${turn}: tools: expected ${toolNames(expected.tools)}, got ${toolNames(got.tools)}`
  const n = Math.max(expected.messages.length, got.messages.length)
  for (let i = 0; i < n; i++) {
    const [e, g] = [expected.messages[i], got.messages[i]]
    if (canonicalJson(e) === canonicalJson(g)) continue
    if (e === undefined) return `diverged at turn ${turn}: messages[${i}]: expected no message, got ${quote(short(textOf(g)))}`
    if (g === undefined) return `diverged at turn ${turn}: messages[${i}]: expected ${quote(short(textOf(e)))}, got no message`
    return `diverged at turn ${turn}: messages[${i}] (${label(e)}): ${pair(textOf(e), textOf(g))}`
  }
  return `diverged at turn ${turn}: the request differs from the recorded one (same text, other fields)`
}

/** `expected "…", got "…"`, both cut around the first character where they differ. */
export function pair(a: string, b: string): string {
  if (a === b) return `expected ${quote(short(a))}, got the same text with other fields`
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const from = Math.max(0, i - CONTEXT)
  const cut = (s: string) => `${from > 0 ? '…' : ''}${s.slice(from, i + CONTEXT)}${s.length > i + CONTEXT ? '…' : ''}`
  return `expected ${quote(cut(a))}, got ${quote(cut(b))}`
}

function short(s: string): string {
  return s.length > 2 * CONTEXT ? `${s.slice(0, 2 * CONTEXT)}…` : s
}

function quote(s: string): string {
  return JSON.stringify(s)
}

/** The text of a message, a content list or a block (tool calls as `Name {input}`). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return v.map(textOf).join('\n')
  if (!v || typeof v !== 'object') return ''
  const b = v as Record<string, unknown>
  if ('role' in b) return textOf(b.content)
  if (b.type === 'text') return String(b.text ?? '')
  if (b.type === 'tool_result') return textOf(b.content)
  if (b.type === 'tool_use') return `${String(b.name)} ${JSON.stringify(b.input)}`
  return canonicalJson(b)
}

function label(m: unknown): string {
  const msg = m as {role?: string; content?: Array<{type?: string}>}
  const kinds = [...new Set((Array.isArray(msg?.content) ? msg.content : []).map(b => b?.type ?? '?'))]
  return [msg?.role ?? '?', ...kinds].join(', ')
}

function toolNames(tools: unknown): string {
  return Array.isArray(tools) ? `[${tools.map(t => (t as {name?: string}).name ?? '?').join(', ')}]` : '[]'
}
