/** `adw trace <adw-id>`: re-exports a recorded run as one trace (for runs made without telemetry on). */
import {resolveConfig} from '../config.js'
import {adwVersion} from '../engine/observe.js'
import {AdwError} from '../errors.js'
import {openExistingStore, requireRun} from '../history/open.js'
import {maskUrl, settingsFromFlag, telemetrySettings} from './index.js'
import {replayEvents} from './replay.js'

export interface TraceRunOptions {
  adwId: string
  /** `--otlp`: else OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else adw.config.yaml telemetry.otlp. */
  otlp?: string
  db?: string
  cwd?: string
  json?: boolean
  write(line: string): void
}

/** How long `adw trace` waits for the collector. */
const TRACE_FLUSH_MS = 30_000

/** Exports the run; throws AdwError (exit 1) when the collector did not take it. */
export async function traceRun(opts: TraceRunOptions): Promise<void> {
  const config = await resolveConfig({cwd: opts.cwd, db: opts.db})
  const settings = opts.otlp ? settingsFromFlag(opts.otlp) : telemetrySettings(config.env, config.telemetryOtlp)
  if (!settings) {
    throw new AdwError('USAGE', 'No OTLP endpoint: pass --otlp <url>, or set OTEL_EXPORTER_OTLP_ENDPOINT or telemetry.otlp in adw.config.yaml', {
      suggestions: [`adw trace ${opts.adwId} --otlp http://localhost:4318`],
    })
  }
  const store = await openExistingStore(config.dbPath)
  let events
  try {
    const run = await requireRun(store, opts.adwId)
    events = replayEvents(run, await store.listSteps(run.adw_id), await store.queryLogs({adwId: run.adw_id}))
    if (run.status === 'running') opts.write(`Note: run ${run.adw_id} is still running; exporting what is recorded so far.`)
  } finally {
    await store.close()
  }
  const {exportEvents} = await import('./tracer.js')
  const r = await exportEvents(settings, events, {env: config.env, version: adwVersion(), flushMs: TRACE_FLUSH_MS})
  const where = maskUrl(settings.url)
  if (r.failure || r.exported < r.spans) {
    throw new AdwError('EXPORT_FAILED', `Could not export run ${opts.adwId} to ${where}: ${r.failure ?? `${r.spans - r.exported} of ${r.spans} spans were not accepted`}`, {
      exitCode: 1,
      suggestions: ['check that the collector is up and takes OTLP/HTTP (port 4318 by default)'],
    })
  }
  if (opts.json) opts.write(JSON.stringify({adwId: opts.adwId, traceId: r.traceId, spans: r.spans, url: where}))
  else opts.write(`Exported ${r.spans} spans of run ${opts.adwId} to ${where} (trace ${r.traceId})`)
}
