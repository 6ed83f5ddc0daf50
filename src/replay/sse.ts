/**
 * A recorded API message served again as the Messages API streams it (message_start, one
 * content_block_start/delta/stop per block, message_delta, message_stop), or as one JSON body for a
 * request that does not stream. Usage is zero: a replayed answer costs nothing and uses no tokens.
 */

interface Block {
  type: string
  [key: string]: unknown
}

export interface RecordedMessage {
  id?: string
  model?: string
  content: Block[]
  stop_reason?: string | null
  stop_sequence?: string | null
}

const ZERO_USAGE = {input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0}

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`

/** The JSON body of a non-streaming answer. */
export function messageJson(m: RecordedMessage): string {
  return JSON.stringify({id: m.id ?? 'msg_replay', type: 'message', role: 'assistant', model: m.model ?? 'replay', content: m.content, stop_reason: m.stop_reason ?? 'end_turn', stop_sequence: m.stop_sequence ?? null, usage: ZERO_USAGE})
}

/** The SSE text of a streamed answer. */
export function messageEvents(m: RecordedMessage): string {
  const out = [event('message_start', {type: 'message_start', message: {id: m.id ?? 'msg_replay', type: 'message', role: 'assistant', model: m.model ?? 'replay', content: [], stop_reason: null, stop_sequence: null, usage: ZERO_USAGE}})]
  m.content.forEach((b, index) => {
    const start = (content_block: unknown) => out.push(event('content_block_start', {type: 'content_block_start', index, content_block}))
    const delta = (d: unknown) => out.push(event('content_block_delta', {type: 'content_block_delta', index, delta: d}))
    if (b.type === 'text') {
      start({type: 'text', text: '', ...(b.citations !== undefined ? {citations: null} : {})})
      delta({type: 'text_delta', text: String(b.text ?? '')})
    } else if (b.type === 'tool_use' || b.type === 'server_tool_use') {
      start({type: b.type, id: b.id, name: b.name, input: {}})
      delta({type: 'input_json_delta', partial_json: JSON.stringify(b.input ?? {})})
    } else if (b.type === 'thinking') {
      start({type: 'thinking', thinking: '', signature: ''})
      delta({type: 'thinking_delta', thinking: String(b.thinking ?? '')})
      delta({type: 'signature_delta', signature: String(b.signature ?? '')})
    } else {
      start(b) // redacted thinking and server results arrive whole
    }
    out.push(event('content_block_stop', {type: 'content_block_stop', index}))
  })
  out.push(
    event('message_delta', {type: 'message_delta', delta: {stop_reason: m.stop_reason ?? 'end_turn', stop_sequence: m.stop_sequence ?? null}, usage: {output_tokens: 0}}),
    event('message_stop', {type: 'message_stop'}),
  )
  return out.join('')
}
