/**
 * Engine events → spans. One builder serves a live run (events as they come) and `adw trace`
 * (events rebuilt from the store, see replay.ts): every span gets the start and end time the event
 * carries, so both give the same tree.
 *
 *   run <pipeline>
 *   ├─ step plan                      (invoke_agent for agent / claude-code steps)
 *   │  ├─ chat claude-sonnet-4-5      one per cost_update row: tokens and cost of one model call
 *   │  └─ execute_tool Write          one per tool_call row
 *   └─ loop fix_loop
 *      └─ fix_loop iteration 1
 *         └─ step fix …
 *
 * A model call ends when its usage is reported; it began at the step's previous boundary (its start,
 * or the end of its previous model or tool call): the agent calls the model, runs the tools it asked
 * for, calls it again. Claude Code reports usage once per model at the end of its session, so its
 * model spans cover the whole step (Claude Code's own spans, joined through TRACEPARENT, show each call).
 */
import {ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer} from '@opentelemetry/api'
import {W3CTraceContextPropagator} from '@opentelemetry/core'
import type {EngineEvent} from '../engine/events.js'
import {ADW, ERROR_TYPE, GEN_AI, isAgentExecutor, usageAttributes} from './attributes.js'

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, {type: T}>

interface OpenStep {
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

/** Fields engine v2 adds to step events (fan-out item, retry attempt); read when present. */
interface StepExtras {
  index?: number
  attempt?: number
}

const PROVIDER = 'anthropic'
const propagator = new W3CTraceContextPropagator()
const ms = (time: string) => Date.parse(time)

export class SpanBuilder {
  private run?: Span
  private adwId = ''
  private readonly loops = new Map<string, {span: Span; iteration?: Span}>()
  /** Open step runs by full key (stepId#iteration#index#attempt). */
  private readonly steps = new Map<string, OpenStep>()
  /** The open step run a log row of stepId#iteration belongs to: the latest started. */
  private readonly latest = new Map<string, OpenStep>()
  /** How many spans were started. */
  spans = 0

  constructor(private readonly tracer: Tracer) {}

  /** The trace's id, once the run started. */
  get traceId(): string | undefined {
    return this.trace
  }

  private trace?: string

  onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'run:start':
        return this.runStart(e)
      case 'loop:start':
        return this.loopStart(e)
      case 'loop:iteration':
        return this.loopIteration(e)
      case 'loop:end':
        return this.loopEnd(e)
      case 'step:start':
        return this.stepStart(e)
      case 'step:end':
        return this.stepEnd(e)
      case 'log':
        return this.log(e)
      case 'run:end':
        return this.runEnd(e)
    }
  }

  /** The W3C trace context of a running step's span, for its child processes. */
  traceContext(stepId: string, iteration: number): Record<string, string> {
    const open = this.latest.get(`${stepId}#${iteration}`)
    const carrier: Record<string, string> = {}
    if (open) propagator.inject(trace.setSpan(ROOT_CONTEXT, open.span), carrier, {set: (c, k, v) => (c[k] = v)})
    return carrier
  }

  /** Ends whatever is still open (a run cut short) at `time`. */
  finish(time = new Date().toISOString()): void {
    const end = new Date(time)
    for (const s of this.steps.values()) {
      for (const t of s.tools.values()) t.end(end)
      s.span.setStatus({code: SpanStatusCode.ERROR, message: 'did not finish'})
      s.span.end(end)
    }
    this.steps.clear()
    this.latest.clear()
    for (const l of this.loops.values()) {
      l.iteration?.end(end)
      l.span.end(end)
    }
    this.loops.clear()
    this.run?.end(end)
    this.run = undefined
  }

  private start(name: string, time: string, parent: Span | undefined, attributes: Attributes, kind = SpanKind.INTERNAL): Span {
    this.spans++
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT
    return this.tracer.startSpan(name, {kind, startTime: new Date(time), attributes: {[ADW.id]: this.adwId, ...attributes}}, ctx)
  }

  private runStart(e: Ev<'run:start'>): void {
    this.adwId = e.adwId
    this.run = this.start(`run ${e.pipeline}`, e.time, undefined, {[ADW.pipeline]: e.pipeline, ...(e.resumed ? {[ADW.resumed]: true} : {})})
    this.trace = this.run.spanContext().traceId
  }

  private runEnd(e: Ev<'run:end'>): void {
    const run = this.run
    if (!run) return
    run.setAttributes({[ADW.status]: e.status, ...usageAttributes(e.totals)})
    if (e.status !== 'succeeded') failed(run, e.status, e.error ?? e.status)
    else run.setStatus({code: SpanStatusCode.OK})
    this.finish(e.time) // ends the run span, and whatever a crash left open
  }

  private loopStart(e: Ev<'loop:start'>): void {
    this.loops.set(e.stepId, {span: this.start(`loop ${e.stepId}`, e.time, this.run, {[ADW.stepId]: e.stepId})})
  }

  private loopIteration(e: Ev<'loop:iteration'>): void {
    const loop = this.loops.get(e.stepId)
    if (!loop) return
    loop.iteration?.end(new Date(e.time))
    loop.iteration = this.start(`${e.stepId} iteration ${e.iteration}`, e.time, loop.span, {[ADW.stepId]: e.stepId, [ADW.iteration]: e.iteration})
  }

  private loopEnd(e: Ev<'loop:end'>): void {
    const loop = this.loops.get(e.stepId)
    const span = loop?.span ?? this.start(`loop ${e.stepId}`, e.time, this.run, {[ADW.stepId]: e.stepId}) // a skipped loop never started
    loop?.iteration?.end(new Date(e.time))
    this.loops.delete(e.stepId)
    span.setAttributes({[ADW.loopIterations]: e.iterations, [ADW.loopOutcome]: e.outcome, ...(e.reason ? {[ADW.reason]: e.reason} : {})})
    if (e.outcome === 'failed' || e.outcome === 'cancelled') failed(span, e.outcome, e.reason ?? e.outcome)
    span.end(new Date(e.time))
  }

  private stepKey(e: {stepId: string; iteration: number} & StepExtras): string {
    return `${e.stepId}#${e.iteration}#${e.index ?? ''}#${e.attempt ?? ''}`
  }

  private parentOf(parentId: string | undefined): Span | undefined {
    const loop = parentId ? this.loops.get(parentId) : undefined
    return loop?.iteration ?? loop?.span ?? this.run
  }

  private stepStart(e: Ev<'step:start'>): void {
    const x = e as Ev<'step:start'> & StepExtras
    const agent = isAgentExecutor(e.executor)
    const span = this.start(agent ? `invoke_agent ${e.stepId}` : `step ${e.stepId}`, e.time, this.parentOf(e.parentId), {
      [ADW.stepId]: e.stepId,
      [ADW.executor]: e.executor,
      [ADW.iteration]: e.iteration,
      ...(e.name ? {[ADW.stepName]: e.name} : {}),
      ...(x.index !== undefined ? {[ADW.index]: x.index} : {}),
      ...(x.attempt !== undefined ? {[ADW.attempt]: x.attempt} : {}),
      ...(agent ? {[GEN_AI.operation]: 'invoke_agent', [GEN_AI.agentName]: e.stepId, [GEN_AI.provider]: PROVIDER, [GEN_AI.system]: PROVIDER} : {}),
    })
    const open: OpenStep = {span, executor: e.executor, startMs: ms(e.time), boundary: ms(e.time), tools: new Map()}
    this.steps.set(this.stepKey(x), open)
    this.latest.set(`${e.stepId}#${e.iteration}`, open)
  }

  private stepEnd(e: Ev<'step:end'>): void {
    const key = this.stepKey(e as Ev<'step:end'> & StepExtras)
    let open = this.steps.get(key)
    if (!open) {
      // Skipped (a false `if`, reused on resume): no step:start, a span of no length says why.
      const span = this.start(`step ${e.stepId}`, e.time, this.parentOf(e.parentId), {[ADW.stepId]: e.stepId, [ADW.iteration]: e.iteration})
      open = {span, executor: '', startMs: ms(e.time), boundary: ms(e.time), tools: new Map()}
    }
    this.steps.delete(key)
    if (this.latest.get(`${e.stepId}#${e.iteration}`) === open) this.latest.delete(`${e.stepId}#${e.iteration}`)
    const end = new Date(e.time)
    for (const t of open.tools.values()) t.end(end)
    const {span} = open
    span.setAttributes({
      [ADW.status]: e.status,
      ...usageAttributes(e.usage),
      ...(e.usage?.model ?? open.model ? {[GEN_AI.requestModel]: (e.usage?.model ?? open.model)!} : {}),
      ...(e.reason ? {[ADW.reason]: e.reason} : {}),
      ...(e.outcome ? {[ADW.outcome]: e.outcome} : {}),
    })
    if (e.status === 'failed' || e.status === 'cancelled' || e.status === 'interrupted') failed(span, e.status, e.error ?? e.status)
    else if (e.status === 'succeeded') span.setStatus({code: SpanStatusCode.OK})
    span.end(end)
  }

  private log(e: Ev<'log'>): void {
    if (e.logType !== 'cost_update' && e.logType !== 'tool_call') return
    if (!e.stepId) return
    const x = e as Ev<'log'> & StepExtras
    const open = x.index !== undefined || x.attempt !== undefined ? this.steps.get(this.stepKey({stepId: e.stepId, iteration: e.iteration ?? 0, ...x})) : this.latest.get(`${e.stepId}#${e.iteration ?? 0}`)
    const d = (e.details ?? {}) as Record<string, unknown>
    if (!open || typeof d !== 'object') return
    if (e.logType === 'cost_update') this.modelCall(open, e.time, d)
    else this.toolCall(open, e, d)
  }

  private modelCall(open: OpenStep, time: string, d: Record<string, unknown>): void {
    if (typeof d.inputTokens !== 'number' && typeof d.outputTokens !== 'number') return // a price warning, not a call
    const model = typeof d.model === 'string' ? d.model : undefined
    const from = open.executor === 'claude-code' ? open.startMs : open.boundary
    const span = this.start(model ? `chat ${model}` : 'chat', new Date(from).toISOString(), open.span, {
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

  private toolCall(open: OpenStep, e: Ev<'log'>, d: Record<string, unknown>): void {
    if (d.denied === true || typeof d.tool !== 'string') return // a permission denial is listed again, already failed
    const id = typeof d.id === 'string' ? d.id : undefined
    const attrs: Attributes = {[GEN_AI.operation]: 'execute_tool', [GEN_AI.toolName]: d.tool, ...(id ? {[GEN_AI.toolCallId]: id} : {})}
    if (d.ok === undefined) {
      // Claude Code: the tool_use row; its result row ends the span.
      if (id) open.tools.set(id, this.start(`execute_tool ${d.tool}`, e.time, open.span, attrs))
      return
    }
    let span = id ? open.tools.get(id) : undefined
    if (id) open.tools.delete(id)
    if (!span) {
      const took = typeof d.durationMs === 'number' ? d.durationMs : 0
      span = this.start(`execute_tool ${d.tool}`, new Date(Math.max(open.startMs, ms(e.time) - took)).toISOString(), open.span, attrs)
    }
    if (d.ok === false) failed(span, 'tool_error', typeof d.error === 'string' ? d.error : e.message)
    else span.setStatus({code: SpanStatusCode.OK})
    span.end(new Date(e.time))
    open.boundary = ms(e.time)
  }
}

function failed(span: Span, type: string, message: string): void {
  span.setAttribute(ERROR_TYPE, type)
  span.setStatus({code: SpanStatusCode.ERROR, message})
  span.addEvent('exception', {'exception.type': type, 'exception.message': message})
}
