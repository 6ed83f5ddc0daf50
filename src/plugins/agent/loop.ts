import type Anthropic from '@anthropic-ai/sdk'
import type {Message, MessageParam, ToolResultBlockParam} from '@anthropic-ai/sdk/resources/messages'
import type {MessageStreamParams} from '@anthropic-ai/sdk/resources/messages/messages'
import type {ExecutorContext, LogLevel, LogType, Usage} from '../types.js'
import {StepFailure} from '../failures.js'
import {checkSchema, correctionPrompt, extractJson} from './output.js'
import {costOf, type ModelPrice} from '../../budget/prices.js'
import {describeCall, runTool, type ToolContext} from './tools/index.js'
import {cap, oneLine} from './tools/types.js'
import {assistantParam, streamTurn, type RequestBase} from './turn.js'

/** Everything the conversation needs; built by the executor from `with:` and the step context. */
export interface Conversation extends RequestBase {
  client: Anthropic
  prompt: string
  maxTurns: number
  output: 'text' | 'json'
  schema?: Record<string, unknown>
  prices?: Readonly<Record<string, ModelPrice>>
  /** The run's budget (ctx.budget): checked before each API call. */
  budget?: ExecutorContext['budget']
  tool: ToolContext
  log(level: LogLevel, type: LogType, message: string, details?: unknown): void
  progress(text: string): void
  reportUsage(usage: Usage): void
  /** Receives the path of every file a Write or Edit call changed (for the step's summary). */
  changed?: Set<string>
  /** Called after each API call with the request as sent and the API's answer (recording for adw replay). */
  onExchange?(turn: number, request: MessageStreamParams, response: Message): Promise<void>
}

export interface ConversationResult {
  outputs: Record<string, unknown>
  turns: number
  stopReason: string
}

const LOGGED_TEXT_MAX = 20_000

/** Input fields as logged: long strings (file contents) replaced by their length. */
function inputSummary(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    out[k] = typeof v === 'string' && v.length > 200 ? `<${v.length} chars>` : v
  }
  return out
}

function textOf(message: Message): string {
  return message.content.map(b => (b.type === 'text' ? b.text : '')).join('').trim()
}

/**
 * The tool loop: send the whole conversation, run the tools the model asks for, send the results,
 * until the model answers without tools. `output: json` gets one corrective turn.
 */
export async function converse(c: Conversation): Promise<ConversationResult> {
  const messages: MessageParam[] = [{role: 'user', content: c.prompt}]
  let corrected = false
  let lastText = ''
  let warnedPrice = false
  for (let turn = 1; ; turn++) {
    if (turn > c.maxTurns + (corrected ? 1 : 0)) {
      throw new Error(`The agent used all ${c.maxTurns} turns (maxTurns) without a final answer. Raise with.maxTurns or narrow the prompt.`)
    }
    // Between calls, never in the middle of one: nothing left under a limit means no next call.
    const left = c.budget?.remaining()
    const spent = left && ((left.usd !== undefined && left.usd <= 0) || (left.tokens !== undefined && left.tokens <= 0) || (left.ms !== undefined && left.ms <= 0))
    if (spent) throw new StepFailure('budget', `The budget is spent: no API call ${turn} (${left.usd !== undefined && left.usd <= 0 ? 'USD' : left.tokens !== undefined && left.tokens <= 0 ? 'tokens' : 'minutes'} limit reached).`)
    const started = Date.now()
    const {message, requestId, params} = await streamTurn(c.client, c, messages, c.tool.signal, c.progress)
    await c.onExchange?.(turn, params, message)
    const u = message.usage
    const tokens = {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheCreationTokens: u.cache_creation_input_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
    }
    const cost = costOf(c.model, tokens, c.prices)
    if (cost === undefined && !warnedPrice && !c.budget) {
      warnedPrice = true
      c.log('WARNING', 'cost_update', `No price known for model ${c.model}; its cost is recorded as 0. Give its price in adw.config.yaml (prices:).`)
    }
    // Without a price the cost is left out: the engine's budget ledger refuses it under a USD limit
    // (an unknown model is never counted as $0 there) and warns otherwise.
    c.reportUsage({...tokens, ...(cost === undefined ? {} : {costUsd: cost}), model: c.model})
    const stop = message.stop_reason ?? 'end_turn'
    c.log('DEBUG', 'performance', `turn ${turn}: ${stop}`, {turn, stopReason: stop, requestId, durationMs: Date.now() - started, ...tokens})
    messages.push(assistantParam(message))
    const text = textOf(message)
    if (text) {
      lastText = text
      c.log('INFO', 'output', cap(text, LOGGED_TEXT_MAX), {turn})
    }

    if (stop === 'refusal') throw new Error('The model refused the request (stop_reason "refusal").')
    if (stop === 'pause_turn') continue
    const calls = message.content.filter(b => b.type === 'tool_use')
    if (stop === 'tool_use' && calls.length) {
      const results: ToolResultBlockParam[] = []
      for (const call of calls) {
        c.progress(oneLine(describeCall(c.tools, call.name, call.input), 120))
        const r = await runTool(c.tools, call.name, call.input, c.tool)
        const path = (call.input as {file_path?: unknown})?.file_path
        if (!r.isError && (call.name === 'Write' || call.name === 'Edit') && typeof path === 'string') c.changed?.add(path)
        c.log(r.isError ? 'WARNING' : 'INFO', 'tool_call', `${r.summary} → ${r.isError ? 'error' : 'ok'} (${r.content.length} chars)`, {
          tool: call.name,
          input: inputSummary(call.input),
          ok: !r.isError,
          resultChars: r.content.length,
          durationMs: r.durationMs,
          ...(r.isError ? {error: oneLine(r.content, 300)} : {}),
        })
        results.push({type: 'tool_result', tool_use_id: call.id, content: r.content || '(no output)', ...(r.isError ? {is_error: true} : {})})
      }
      messages.push({role: 'user', content: results})
      continue
    }
    if (stop === 'max_tokens') {
      if (calls.length) throw new StepFailure('invalid', `The model's reply was cut off at maxTokens (${c.maxTokens}) in the middle of a tool call. Raise with.maxTokens.`)
      c.log('WARNING', 'state_change', `The final answer was cut off at maxTokens (${c.maxTokens}).`)
    }

    const answer = text || lastText
    const done = (outputs: Record<string, unknown>): ConversationResult => {
      c.log('INFO', 'state_change', `agent finished after ${turn} turn${turn === 1 ? '' : 's'} (stop reason: ${stop})`, {turns: turn, stopReason: stop})
      return {outputs, turns: turn, stopReason: stop}
    }
    if (c.output === 'text') return done({text: answer})

    const parsed = extractJson(answer)
    const problems = parsed.ok ? (c.schema ? checkSchema(parsed.value, c.schema) : []) : [parsed.problem]
    if (parsed.ok && !problems.length) return done(parsed.value)
    const problem = parsed.ok ? `the JSON does not match the schema: ${problems.join('; ')}` : problems[0]
    if (corrected) {
      throw new StepFailure('invalid', `The agent's final answer is not the JSON the step asks for, even after a corrective turn: ${problem}. Answer began: "${oneLine(answer, 120)}"`)
    }
    corrected = true
    c.log('WARNING', 'state_change', `Final answer rejected (${problem}); asking the model once to correct it.`)
    messages.push({role: 'user', content: correctionPrompt(problem, c.schema)})
  }
}
