import type {TelemetrySettings} from './index.js'

/**
 * What a step's child processes need to join the run's trace: TRACEPARENT (W3C, read by Claude Code
 * 2.1.110+ in `-p` mode and by any OpenTelemetry SDK that honours it), and the variables that turn
 * Claude Code's own tracing on and point it at the same collector. A variable the user set already
 * (CLAUDE_CODE_ENABLE_TELEMETRY=0, another protocol) is left as it is.
 */
export function childEnv(settings: TelemetrySettings, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const wanted: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // From adw.config.yaml, the endpoint is not in the environment yet.
    ...(settings.base ? {OTEL_EXPORTER_OTLP_ENDPOINT: settings.base} : {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: settings.url}),
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(wanted)) if (!env[k]) out[k] = v
  return out
}
