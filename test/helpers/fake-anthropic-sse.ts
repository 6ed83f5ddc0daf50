/**
 * Reply shapes of the fake Messages API (see fake-anthropic.ts) and how they become a JSON message
 * or the SSE event sequence the real API streams.
 */

/** Token counts a reply reports. Defaults: input 100, output 20, cache 0. */
export interface FakeUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

/** One tool call the model makes. `id` defaults to `toolu_fake_<request>_<n>`. */
export interface FakeToolUse {
  name: string
  input: Record<string, unknown>
  id?: string
}

/** An assistant message: optional text, then optional tool calls. */
export interface FakeMessageReply {
  type?: 'message'
  text?: string
  toolUses?: FakeToolUse[]
  /** Default: `tool_use` when there are tool calls, else `end_turn`. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn'
  usage?: Partial<FakeUsage>
  /** Model named in the reply; defaults to the request's. */
  model?: string
  /** Characters per text delta. @default 12 */
  chunkSize?: number
  /** Pause between SSE events, to make a stream slow. @default 0 */
  delayMs?: number
}

/** An HTTP error with the API's error body and a `request-id` header. */
export interface FakeErrorReply {
  type: 'error'
  status: number
  /** e.g. `overloaded_error`; derived from the status by default. */
  errorType?: string
  message?: string
  requestId?: string
  headers?: Record<string, string>
  /** `false` sends `x-should-retry: false`; otherwise 429/5xx carry a 5 ms `retry-after-ms`. */
  retry?: boolean
}

/** Streams message_start and one text delta, then never finishes (for cancel tests). */
export interface FakeHangReply {
  type: 'hang'
  text?: string
}

export type FakeReply = FakeMessageReply | FakeErrorReply | FakeHangReply

/** Builders for scripted replies. */
export const reply = {
  text: (text: string, opts: Omit<FakeMessageReply, 'type' | 'text' | 'toolUses'> = {}): FakeMessageReply => ({...opts, text}),
  /** The final answer as a JSON object, bare (`fenced: true` wraps it in a ```json fence). */
  json: (value: unknown, opts: {fenced?: boolean; usage?: Partial<FakeUsage>} = {}): FakeMessageReply => {
    const s = JSON.stringify(value, null, 2)
    return {text: opts.fenced ? 'Here is the result:\n```json\n' + s + '\n```' : s, usage: opts.usage}
  },
  tool: (name: string, input: Record<string, unknown>, text?: string, opts: Omit<FakeMessageReply, 'toolUses'> = {}): FakeMessageReply => ({
    ...opts,
    text,
    toolUses: [{name, input}],
  }),
  tools: (toolUses: FakeToolUse[], text?: string, opts: Omit<FakeMessageReply, 'toolUses'> = {}): FakeMessageReply => ({...opts, text, toolUses}),
  error: (status: number, opts: Omit<FakeErrorReply, 'type' | 'status'> = {}): FakeErrorReply => ({...opts, type: 'error', status}),
  hang: (text?: string): FakeHangReply => ({type: 'hang', text}),
}

function usageOf(r: FakeMessageReply): FakeUsage {
  return {input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...r.usage}
}

function blocks(r: FakeMessageReply, index: number): any[] {
  const out: any[] = []
  if (r.text !== undefined && r.text !== '') out.push({type: 'text', text: r.text, citations: null})
  ;(r.toolUses ?? []).forEach((t, i) => out.push({type: 'tool_use', id: t.id ?? `toolu_fake_${index}_${i}`, name: t.name, input: t.input}))
  return out
}

function stopReason(r: FakeMessageReply): string {
  return r.stopReason ?? (r.toolUses?.length ? 'tool_use' : 'end_turn')
}

/** The non-streaming JSON body. */
export function messageBody(r: FakeMessageReply, model: string, index: number): Record<string, unknown> {
  return {
    id: `msg_fake_${index}`,
    type: 'message',
    role: 'assistant',
    model,
    content: blocks(r, index),
    stop_reason: stopReason(r),
    stop_sequence: null,
    usage: usageOf(r),
  }
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

function split(s: string, size: number): string[] {
  const parts: string[] = []
  for (let i = 0; i < s.length; i += size) parts.push(s.slice(i, i + size))
  return parts.length ? parts : ['']
}

/** The SSE events, each a complete `event: X\ndata: {...}\n\n` chunk, in the real API's order. */
export function sseEvents(r: FakeMessageReply, model: string, index: number): string[] {
  const usage = usageOf(r)
  const out = [
    sse('message_start', {
      type: 'message_start',
      message: {...messageBody(r, model, index), content: [], stop_reason: null, usage: {...usage, output_tokens: 1}},
    }),
  ]
  blocks(r, index).forEach((b, i) => {
    if (b.type === 'text') {
      out.push(sse('content_block_start', {type: 'content_block_start', index: i, content_block: {type: 'text', text: '', citations: null}}))
      if (i === 0) out.push(sse('ping', {type: 'ping'}))
      for (const part of split(b.text, r.chunkSize ?? 12)) {
        out.push(sse('content_block_delta', {type: 'content_block_delta', index: i, delta: {type: 'text_delta', text: part}}))
      }
    } else {
      out.push(sse('content_block_start', {type: 'content_block_start', index: i, content_block: {type: 'tool_use', id: b.id, name: b.name, input: {}}}))
      if (i === 0) out.push(sse('ping', {type: 'ping'}))
      const json = JSON.stringify(b.input)
      const half = Math.ceil(json.length / 2)
      for (const part of ['', json.slice(0, half), json.slice(half)]) {
        out.push(sse('content_block_delta', {type: 'content_block_delta', index: i, delta: {type: 'input_json_delta', partial_json: part}}))
      }
    }
    out.push(sse('content_block_stop', {type: 'content_block_stop', index: i}))
  })
  out.push(
    sse('message_delta', {type: 'message_delta', delta: {stop_reason: stopReason(r), stop_sequence: null}, usage: {output_tokens: usage.output_tokens}}),
    sse('message_stop', {type: 'message_stop'}),
  )
  return out
}
