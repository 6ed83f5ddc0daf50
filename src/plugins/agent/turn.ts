import type Anthropic from '@anthropic-ai/sdk'
import type {ContentBlockParam, Message, MessageParam, TextBlockParam, Tool as ToolParam} from '@anthropic-ai/sdk/resources/messages'
import type {MessageStreamParams} from '@anthropic-ai/sdk/resources/messages/messages'
import type {Tool} from './tools/index.js'
import {oneLine} from './tools/types.js'

const EPHEMERAL = {type: 'ephemeral'} as const

/** The stable part of every request of a step: model, limits, system blocks and tools. */
export interface RequestBase {
  model: string
  maxTokens: number
  /** System text blocks: adw's own (the same for every step), then the step's (at most two). */
  system: string[]
  tools: Tool[]
}

/** Tool definitions for the API; the last one carries a cache breakpoint (tools + system cache together). */
export function toolParams(tools: Tool[]): ToolParam[] {
  return tools.map((t, i) => ({
    name: t.name,
    description: t.description,
    input_schema: t.input_schema,
    ...(i === tools.length - 1 ? {cache_control: EPHEMERAL} : {}),
  }))
}

/**
 * System blocks, each with a cache breakpoint: steps with different instructions still share the
 * cached tools + base prompt. With the tools' and the moving one, that is at most the API's four.
 */
function systemParams(system: string[]): TextBlockParam[] {
  return system.filter(s => s.trim() !== '').map(text => ({type: 'text', text, cache_control: EPHEMERAL}))
}

/**
 * The conversation as sent: a copy whose last block carries a moving cache breakpoint, so each
 * turn reads the previous turns from the cache. The stored history never keeps old breakpoints
 * (the API allows four per request: tools, system, this one).
 */
function withMovingBreakpoint(messages: MessageParam[]): MessageParam[] {
  if (!messages.length) return messages
  const last = messages[messages.length - 1]
  const content: ContentBlockParam[] = typeof last.content === 'string' ? [{type: 'text', text: last.content}] : [...last.content]
  const i = content.length - 1
  if (i >= 0 && content[i].type !== 'thinking' && content[i].type !== 'redacted_thinking') content[i] = {...content[i], cache_control: EPHEMERAL} as ContentBlockParam
  return [...messages.slice(0, -1), {...last, content} as MessageParam]
}

/** Assistant content as it is sent back: only the fields the API takes, no empty text blocks. */
export function assistantParam(message: Message): MessageParam {
  const content: ContentBlockParam[] = []
  for (const b of message.content) {
    if (b.type === 'text' && b.text !== '') content.push({type: 'text', text: b.text})
    else if (b.type === 'tool_use') content.push({type: 'tool_use', id: b.id, name: b.name, input: b.input})
    else if (b.type === 'thinking') content.push({type: 'thinking', thinking: b.thinking, signature: b.signature})
    else if (b.type === 'redacted_thinking') content.push({type: 'redacted_thinking', data: b.data})
  }
  if (!content.length) content.push({type: 'text', text: '(no answer)'})
  return {role: 'assistant', content}
}

/**
 * One streamed API call with the full conversation. Shows the last line of text (or the tool
 * being called) through `progress` while it streams; rejects promptly when `signal` aborts.
 */
export async function streamTurn(
  client: Anthropic,
  base: RequestBase,
  messages: MessageParam[],
  signal: AbortSignal,
  progress: (text: string) => void,
): Promise<{message: Message; requestId?: string | null; params: MessageStreamParams}> {
  const tools = toolParams(base.tools)
  const params: MessageStreamParams = {
    model: base.model,
    max_tokens: base.maxTokens,
    system: systemParams(base.system),
    ...(tools.length ? {tools} : {}),
    messages: withMovingBreakpoint(messages),
  }
  const stream = client.messages.stream(params, {signal})
  stream.on('text', (_delta, snapshot) => {
    const line = snapshot.trimEnd().split('\n').pop()
    if (line) progress(oneLine(line, 120))
  })
  stream.on('streamEvent', event => {
    if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') progress(`${event.content_block.name} …`)
  })
  const message = await stream.finalMessage()
  return {message, requestId: stream.request_id, params}
}
