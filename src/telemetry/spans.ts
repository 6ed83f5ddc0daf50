/**
 * Engine events → spans. One builder serves a live run (events as they come) and `adw trace`
 * (events rebuilt from the store, see replay.ts): every span gets the start and end time the event
 * carries, so both give the same tree.
 *
 *   run <pipeline>
 *   ├─ step plan                      (invoke_agent for agent / claude-code steps)
 *   │  ├─ chat claude-sonnet-4-5      one per cost_update row (calls.ts)
 *   │  └─ execute_tool Write          one per tool_call row
 *   ├─ forEach build                  a fan-out: one span per item run (adw.step.index), and per
 *   │  ├─ invoke_agent build [0]      retried attempt (adw.step.attempt), each with its own calls:
 *   │  └─ invoke_agent build [1]      log events say which item and attempt wrote them
 *   └─ loop fix_loop
 *      └─ fix_loop iteration 1
 *         └─ step fix …
 */
import {ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer} from '@opentelemetry/api'
import {W3CTraceContextPropagator} from '@opentelemetry/core'
import type {EngineEvent} from '../engine/events.js'
import {ADW, GEN_AI, isAgentExecutor, usageAttributes} from './attributes.js'
import {callSpan, failed, PROVIDER, SPAN_LOG_TYPES, type OpenStep} from './calls.js'

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, {type: T}>

/** Where a step event stands in a fan-out and its retries. */
interface StepExtras {
  index?: number
  attempt?: number
}

const propagator = new W3CTraceContextPropagator()
const ms = (time: string) => Date.parse(time)

export class SpanBuilder {
  private run?: Span
  private adwId = ''
  private readonly loops = new Map<string, {span: Span; iteration?: Span}>()
  /** Open step runs by full key (stepId#iteration#index#attempt). */
  private readonly steps = new Map<string, OpenStep>()
  /** The open step run a log row of stepId#iteration without index or attempt belongs to: the latest started. */
  private readonly latest = new Map<string, OpenStep>()
  /** Open fan-outs by stepId#iteration: the span their item runs are under. */
  private readonly fanOuts = new Map<string, Span>()
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
    for (const f of this.fanOuts.values()) f.end(end)
    this.fanOuts.clear()
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

  /** A fan-out item's parent: the fan-out's span, opened by its first item. */
  private fanOut(e: {stepId: string; iteration: number; parentId?: string; time: string}, executor?: string): Span {
    const key = `${e.stepId}#${e.iteration}`
    let span = this.fanOuts.get(key)
    if (!span) {
      span = this.start(`forEach ${e.stepId}`, e.time, this.parentOf(e.parentId), {[ADW.stepId]: e.stepId, [ADW.iteration]: e.iteration, ...(executor ? {[ADW.executor]: executor} : {})})
      this.fanOuts.set(key, span)
    }
    return span
  }

  private stepStart(e: Ev<'step:start'>): void {
    const x = e as Ev<'step:start'> & StepExtras
    const agent = isAgentExecutor(e.executor)
    const parent = x.index !== undefined ? this.fanOut(e, e.executor) : this.parentOf(e.parentId)
    const span = this.start(agent ? `invoke_agent ${e.stepId}` : `step ${e.stepId}`, e.time, parent, {
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
    if (e.items !== undefined && e.index === undefined) return this.fanOutEnd(e)
    const key = this.stepKey(e as Ev<'step:end'> & StepExtras)
    let open = this.steps.get(key)
    if (!open) {
      // Skipped (a false `if`, reused on resume): no step:start, a span of no length says why.
      const parent = e.index !== undefined ? this.fanOut(e) : this.parentOf(e.parentId)
      const span = this.start(`step ${e.stepId}`, e.time, parent, {[ADW.stepId]: e.stepId, [ADW.iteration]: e.iteration, ...(e.index !== undefined ? {[ADW.index]: e.index} : {})})
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

  /** The end of a whole fan-out (its items ended before): its span gets the status and item count. */
  private fanOutEnd(e: Ev<'step:end'>): void {
    const key = `${e.stepId}#${e.iteration}`
    const span = this.fanOuts.get(key) ?? this.fanOut(e)
    this.fanOuts.delete(key)
    span.setAttributes({[ADW.status]: e.status, [ADW.items]: e.items!, ...usageAttributes(e.usage), ...(e.reason ? {[ADW.reason]: e.reason} : {}), ...(e.outcome ? {[ADW.outcome]: e.outcome} : {})})
    if (e.status === 'failed' || e.status === 'cancelled') failed(span, e.status, e.error ?? e.status)
    else if (e.status === 'succeeded') span.setStatus({code: SpanStatusCode.OK})
    span.end(new Date(e.time))
  }

  /** A model or tool call, under the step run that made it: the one its item and attempt name, else the latest started. */
  private log(e: Ev<'log'>): void {
    if (!SPAN_LOG_TYPES.has(e.logType as never) || !e.stepId) return
    const iteration = e.iteration ?? 0
    const open = e.index !== undefined || e.attempt !== undefined ? this.steps.get(this.stepKey({stepId: e.stepId, iteration, index: e.index, attempt: e.attempt})) : this.latest.get(`${e.stepId}#${iteration}`)
    if (open) callSpan((name, time, parent, attributes, kind) => this.start(name, time, parent, attributes, kind), open, e)
  }
}
