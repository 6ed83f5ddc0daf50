/**
 * The OpenTelemetry SDK side (loaded only when telemetry is on): a tracer provider whose spans go
 * through a bounded batch queue to the OTLP/HTTP exporter, and the run's subscriber around it.
 * Exporting never holds a run up: spans are handed over as they end and sent in the background; a
 * collector that is down or slow costs one warning; at the end of the run the queue gets a bounded
 * time to drain (Ctrl-C included: a cancelled run ends through the same path).
 */
import {BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter} from '@opentelemetry/sdk-trace'
import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http'
import {defaultResource, detectResources, envDetector, resourceFromAttributes} from '@opentelemetry/resources'
import {ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION} from '@opentelemetry/semantic-conventions'
import {ExportResultCode, parseKeyPairsIntoRecord, type ExportResult} from '@opentelemetry/core'
import type {EngineEvent} from '../engine/events.js'
import {childEnv} from './child-env.js'
import {maskUrl, type RunTelemetry, type StartTelemetryOptions, type TelemetrySettings} from './index.js'
import {SPAN_LOG_TYPES} from './calls.js'
import {SpanBuilder} from './spans.js'

/** Limits of the export queue: spans beyond it are dropped (counted), never held in memory without bound. */
export const QUEUE = {maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 3000}
/** How long the end of a run waits for the last spans to be sent; once an export failed, only a moment. */
export const FLUSH_MS = 3000
const FLUSH_AFTER_FAILURE_MS = 300

export interface Exporting {
  provider: TracerProvider
  /** The first export failure, if any. */
  failure(): string | undefined
  /** Spans the collector accepted. */
  exported(): number
  /** Sends what is queued (bounded by `ms`, FLUSH_MS by default), then stops the provider. */
  shutdown(ms?: number): Promise<void>
}

/** A provider exporting to `settings.url`; `onFailure` is called once, at the first failed export. */
export function createExporting(settings: TelemetrySettings, env: Readonly<Record<string, string | undefined>>, version: string, onFailure: (message: string) => void): Exporting {
  const headers = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS
  const otlp = new OTLPTraceExporter({url: settings.url, timeoutMillis: QUEUE.exportTimeoutMillis, ...(headers ? {headers: parseKeyPairsIntoRecord(headers)} : {})})
  const watched = new WatchedExporter(otlp, message => onFailure(`could not export traces to ${maskUrl(settings.url)} (${settings.source}): ${message}; the run goes on without them`))
  const resource = defaultResource()
    .merge(resourceFromAttributes({[ATTR_SERVICE_NAME]: 'adw', [ATTR_SERVICE_VERSION]: version}))
    .merge(detectResources({detectors: [envDetector]})) // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
  const provider = new TracerProvider({resource, spanProcessors: [new BatchSpanProcessor({exporter: watched, ...QUEUE})]})
  return {
    provider,
    failure: () => watched.firstFailure,
    exported: () => watched.sent,
    async shutdown(ms = FLUSH_MS) {
      let timer: NodeJS.Timeout | undefined
      const wait = watched.firstFailure === undefined ? ms : FLUSH_AFTER_FAILURE_MS
      const late = new Promise<'late'>(resolve => {
        timer = setTimeout(() => resolve('late'), wait)
        timer.unref()
      })
      const done = await Promise.race([provider.forceFlush().then(() => 'done' as const, () => 'done' as const), late])
      clearTimeout(timer)
      if (done === 'late') watched.fail(`the collector did not answer within ${wait / 1000} s`)
      // Stops the batch timer; what is left (a collector that hangs) is dropped, not waited for.
      void provider.shutdown().catch(() => {})
    },
  }
}

/** The OTLP exporter, remembering the first failure and counting what was accepted. */
class WatchedExporter implements SpanExporter {
  firstFailure?: string
  sent = 0
  constructor(
    private readonly inner: SpanExporter,
    private readonly onFailure: (message: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, result => {
      if (result.code === ExportResultCode.SUCCESS) this.sent += spans.length
      else this.fail(result.error?.message ?? 'export failed')
      done(result)
    })
  }

  fail(message: string): void {
    if (this.firstFailure !== undefined) return
    this.firstFailure = message
    try {
      this.onFailure(message)
    } catch {
      // a warning must not break the export
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }
}

/** Exports the spans of a recorded run's events (`adw trace`); waits up to `flushMs` for the collector. */
export async function exportEvents(settings: TelemetrySettings, events: EngineEvent[], opts: {env: Readonly<Record<string, string | undefined>>; version: string; flushMs: number}): Promise<{spans: number; traceId?: string; exported: number; failure?: string}> {
  const exporting = createExporting(settings, opts.env, opts.version, () => {})
  const builder = new SpanBuilder(exporting.provider.getTracer('adw', opts.version))
  let flushed = 0
  for (const e of events) {
    builder.onEvent(e)
    // Within the queue's bound: a run of 10,000 steps is sent as it is read, not dropped.
    if (builder.spans - flushed >= QUEUE.maxQueueSize / 2) {
      flushed = builder.spans
      await exporting.provider.forceFlush().catch(() => {})
    }
  }
  builder.finish(events.at(-1)?.time)
  await exporting.shutdown(opts.flushMs)
  const failure = exporting.failure()
  return {spans: builder.spans, traceId: builder.traceId, exported: exporting.exported(), ...(failure ? {failure} : {})}
}

/** The run's subscriber: spans from its events, TRACEPARENT for its steps. */
export function createRunTelemetry(opts: StartTelemetryOptions): RunTelemetry {
  const exporting = createExporting(opts.settings, opts.env, opts.version, opts.warn)
  const builder = new SpanBuilder(exporting.provider.getTracer('adw', opts.version))
  const forChildren = childEnv(opts.settings, opts.env)
  return {
    subscriber: {
      wantsLogs: true,
      // Spans are made of model calls and tool calls only: no event is built for other rows.
      logTypes: SPAN_LOG_TYPES,
      onEvent: (event: EngineEvent) => builder.onEvent(event),
      async close() {
        builder.finish()
        await exporting.shutdown()
      },
    },
    stepEnv: ({stepId, iteration}) => {
      const context = builder.traceContext(stepId, iteration)
      return {...forChildren, ...(context.traceparent ? {TRACEPARENT: context.traceparent} : {}), ...(context.tracestate ? {TRACESTATE: context.tracestate} : {})}
    },
  }
}
