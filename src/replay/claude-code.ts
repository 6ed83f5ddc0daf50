/**
 * Replaying a claude-code step: its recorded stream-json transcript holds every answer the model gave
 * (assistant events, one per content block, grouped by message id) and every tool result Claude Code
 * sent back (user events). The CLI's own requests carry its system prompt, dates and settings, which
 * no recording could match, so a call is matched on what the step controls: the tool results it sends
 * must be the recorded ones, in the same order.
 */
import {pair, textOf} from './diff.js'
import type {RecordedStep} from './recorded.js'
import type {CallAnswer} from './server.js'
import {WORKDIR} from './request.js'
import type {RecordedMessage} from './sse.js'

interface Turn {
  message: RecordedMessage
  /** The tool results that followed it in the transcript, by tool_use id. */
  results: Map<string, string>
}

interface Session {
  turns: Turn[]
  /** The prompt of each invocation (the transcript's adw_invocation line). */
  prompts: string[]
}

const parsed = new WeakMap<RecordedStep, Session>()

function sessionOf(step: RecordedStep): Session {
  const known = parsed.get(step)
  if (known) return known
  const turns: Turn[] = []
  const prompts: string[] = []
  for (const transcript of step.transcripts) {
    let current: Turn | undefined
    for (const line of transcript.split('\n')) {
      let e: any
      try {
        e = JSON.parse(line)
      } catch {
        continue
      }
      const msg = e?.message
      if (e?.type === 'adw_invocation' && typeof e.prompt === 'string') prompts.push(e.prompt)
      else if (e?.type === 'assistant' && msg && msg.model !== '<synthetic>' && Array.isArray(msg.content)) {
        if (current && current.message.id === msg.id && msg.id) current.message.content.push(...msg.content)
        else {
          current = {message: {id: msg.id, model: msg.model, content: [...msg.content], stop_reason: msg.stop_reason ?? null}, results: new Map()}
          turns.push(current)
        }
      } else if (e?.type === 'user' && current && Array.isArray(msg?.content)) {
        for (const b of msg.content) if (b?.type === 'tool_result') current.results.set(String(b.tool_use_id), textOf(b.content))
      }
    }
  }
  for (const t of turns) t.message.stop_reason ??= t.message.content.some(b => b.type === 'tool_use') ? 'tool_use' : 'end_turn'
  const session = {turns, prompts}
  parsed.set(step, session)
  return session
}

const normalize = (s: string, dirs: string[]) => dirs.filter(d => d.length > 1).sort((a, b) => b.length - a.length).reduce((t, d) => t.split(d).join(WORKDIR), s)

/** The recorded answer to this call of the CLI, or where it left the transcript. */
export function claudeCodeCall(step: RecordedStep, body: any, workingDirs: string[], recordedDirs: string[] = []): CallAnswer {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : []
  const turn = messages.filter(m => m?.role === 'assistant').length + 1
  const {turns, prompts} = sessionOf(step)
  if (prompts[0] !== undefined) {
    const want = normalize(prompts[0], recordedDirs)
    const first = messages[0]?.content
    const blocks: string[] = typeof first === 'string' ? [first] : Array.isArray(first) ? first.filter((b: any) => b?.type === 'text').map((b: any) => String(b.text)) : []
    const got = normalize(blocks.find(b => !b.trimStart().startsWith('<')) ?? textOf(messages[0]), workingDirs)
    // The prompt is one text block of the first message (the CLI adds its own reminders beside it).
    if (!blocks.some(b => normalize(b, workingDirs).trim() === want.trim())) return {turn, diverged: `diverged at turn ${turn}: prompt: ${pair(want, got.includes(want.slice(0, 20)) ? got.slice(got.indexOf(want.slice(0, 20))) : got)}`}
  }
  const previous = turns[turn - 2]
  if (previous) {
    const last = messages.at(-1)
    const sent = (Array.isArray(last?.content) ? last.content : []).filter((b: any) => b?.type === 'tool_result')
    for (const b of sent) {
      const expected = previous.results.get(String(b.tool_use_id))
      const got = normalize(textOf(b.content), workingDirs)
      if (expected === undefined) continue
      const want = normalize(expected, recordedDirs)
      if (want !== got) return {turn, diverged: `diverged at turn ${turn}: tool result of ${toolName(previous, b.tool_use_id)}: expected ${JSON.stringify(cut(want))}, got ${JSON.stringify(cut(got))}`}
    }
  }
  const next = turns[turn - 1]
  if (!next) return {turn, diverged: `diverged at turn ${turn}: expected no call (the recorded Claude Code session ended after ${turn - 1} call${turn === 2 ? '' : 's'}), got one`}
  return {message: next.message}
}

function toolName(t: Turn, id: string): string {
  const use = t.message.content.find(b => b.type === 'tool_use' && b.id === id)
  return use ? String(use.name) : 'a tool'
}

function cut(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s
}
