/**
 * The spans inside a step run, made from its log rows: one `chat <model>` per cost_update row (a
 * model call's tokens and cost) and one `execute_tool <tool>` per tool_call row. A model call ends
 * when its usage is reported; it began at the step's previous boundary (its start, or the end of its
 * previous model or tool call): the agent calls the model, runs the tools it asked for, calls it
 * again. Claude Code reports usage once per model at the end of its session, so its model spans cover
 * the whole step (Claude Code's own spans, joined through TRACEPARENT, show each call).
 */
import {SpanKind, SpanStatusCode, type Attributes, type Span} from '@opentelemetry/api'
import type {EngineEvent} from '../engine/events.js'
import type {LogType} from '../plugins/types.js'
import {ERROR_TYPE, GEN_AI, usageAttributes} from './attributes.js'

type LogEvent = Extract<EngineEvent, {type: 'log'}>

/** The only log rows spans are made of: the engine emits no log event of another type for telemetry. */
export const SPAN_LOG_TYPES: ReadonlySet<LogType> = new Set<LogType>(['cost_update', 'tool_call'])

export const PROVIDER = 'anthropic'

/** A step run whose span is open. */
export interface OpenStep {
  span: Span
  executor: string
  startMs: number
  /** End of the last model or tool call (ms): where the next model call began. */
  boundary: number
  /** Claude Code tool calls between their tool_use row and their result row, by tool_use id. */
  tools: Map<string, Span>
  /** The model of its last call (the step's, as the steps row records it). */
  model?: string
}

/** Starts a span under `parent` (the builder's, which counts them and sets adw.id). */
export type StartSpan = (name: string, time: string, parent: Span, attributes: Attributes, kind?: SpanKind) => Span

const ms = (time: string) => Date.parse(time)

/** A cost_update or tool_call row of the step run `open` as its span. */
export function callSpan(start: StartSpan, open: OpenStep, e: LogEvent): void {
  const d = e.details
  if (!d || typeof d !== 'object') return
  if (e.logType === 'cost_update') modelCall(start, open, e.time, d as Record<string, unknown>)
  else if (e.logType === 'tool_call') toolCall(start, open, e, d as Record<string, unknown>)
}

function modelCall(start: StartSpan, open: OpenStep, time: string, d: Record<string, unknown>): void {
  if (typeof d.inputTokens !== 'number' && typeof d.outputTokens !== 'number') return // a price warning, not a call
  const model = typeof d.model === 'string' ? d.model : undefined
  const from = open.executor === 'claude-code' ? open.startMs : open.boundary
  const span = start(model ? `chat ${model}` : 'chat', new Date(from).toISOString(), open.span, {
    [GEN_AI.operation]: 'chat',
    [GEN_AI.provider]: PROVIDER,
    [GEN_AI.system]: PROVIDER,
    ...(model ? {[GEN_AI.requestModel]: model, [GEN_AI.responseModel]: model} : {}),
    ...usageAttributes(d as Parameters<typeof usageAttributes>[0]),
  }, SpanKind.CLIENT)
  span.setStatus({code: SpanStatusCode.OK})
  span.end(new Date(time))
  open.boundary = ms(time)
  if (model) open.model = model
}

function toolCall(start: StartSpan, open: OpenStep, e: LogEvent, d: Record<string, unknown>): void {
  if (d.denied === true || typeof d.tool !== 'string') return // a permission denial is listed again, already failed
  const id = typeof d.id === 'string' ? d.id : undefined
  const attrs: Attributes = {[GEN_AI.operation]: 'execute_tool', [GEN_AI.toolName]: d.tool, ...(id ? {[GEN_AI.toolCallId]: id} : {})}
  if (d.ok === undefined) {
    // Claude Code: the tool_use row; its result row ends the span.
    if (id) open.tools.set(id, start(`execute_tool ${d.tool}`, e.time, open.span, attrs))
    return
  }
  let span = id ? open.tools.get(id) : undefined
  if (id) open.tools.delete(id)
  if (!span) {
    const took = typeof d.durationMs === 'number' ? d.durationMs : 0
    span = start(`execute_tool ${d.tool}`, new Date(Math.max(open.startMs, ms(e.time) - took)).toISOString(), open.span, attrs)
  }
  if (d.ok === false) failed(span, 'tool_error', typeof d.error === 'string' ? d.error : e.message)
  else span.setStatus({code: SpanStatusCode.OK})
  span.end(new Date(e.time))
  open.boundary = ms(e.time)
}

/** Error status with its message, `error.type` and an exception event. */
export function failed(span: Span, type: string, message: string): void {
  span.setAttribute(ERROR_TYPE, type)
  span.setStatus({code: SpanStatusCode.ERROR, message})
  span.addEvent('exception', {'exception.type': type, 'exception.message': message})
}
