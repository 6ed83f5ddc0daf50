/**
 * OpenTelemetry traces of runs. This entry file is cheap to import: it only decides whether
 * telemetry is on. The SDK and the OTLP exporter (tracer.ts) load when it is, so a run without an
 * endpoint, and every other command, pays nothing for them.
 */
import {AdwError} from '../errors.js'
import type {Subscriber} from '../engine/fanout.js'

/** Where traces go, and which setting said so (for messages). */
export interface TelemetrySettings {
  /** The OTLP/HTTP traces URL (…/v1/traces). */
  url: string
  /** The base endpoint (without /v1/traces), handed to Claude Code; absent when only a traces URL was given. */
  base?: string
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `--otlp` or `adw.config.yaml: telemetry.otlp`. */
  source: string
}

/**
 * Telemetry settings from the run's trusted environment and the config file, or undefined when off:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) > OTEL_EXPORTER_OTLP_ENDPOINT > telemetry.otlp
 * (both bases: /v1/traces is appended), unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function telemetrySettings(env: Readonly<Record<string, string | undefined>>, configOtlp?: string): TelemetrySettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return {url: checkUrl(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'}
  const fromEnv = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (fromEnv) return fromBase(fromEnv, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  if (configOtlp?.trim()) return fromBase(configOtlp.trim(), 'adw.config.yaml: telemetry.otlp')
  return undefined
}

/** Settings for an endpoint given on the command line (`adw trace --otlp`): a base, or a URL ending in /v1/traces. */
export function settingsFromFlag(url: string): TelemetrySettings {
  return /\/v1\/traces\/?$/.test(url) ? {url: checkUrl(url, '--otlp'), source: '--otlp'} : fromBase(url, '--otlp')
}

function fromBase(base: string, source: string): TelemetrySettings {
  const b = checkUrl(base, source).replace(/\/+$/, '')
  return {url: `${b}/v1/traces`, base: b, source}
}

function checkUrl(value: string, source: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badUrl(value, source)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl(value, source)
  return value
}

const badUrl = (value: string, source: string) =>
  new AdwError('CONFIG_INVALID', `${source} must be an http:// or https:// URL of an OTLP/HTTP endpoint; got "${maskUrl(value)}"`, {
    suggestions: ['e.g. http://localhost:4318 (Jaeger, Grafana Tempo, an OpenTelemetry Collector)'],
  })

/** A URL as it may be shown: scheme, host and path, without credentials, query or fragment. */
export function maskUrl(value: string): string {
  try {
    const u = new URL(value)
    const path = u.pathname === '/' ? '' : u.pathname
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${path}${u.search ? '?***' : ''}`
  } catch {
    return value.length > 12 ? `${value.slice(0, 8)}…` : '***'
  }
}

/** What a run gets when telemetry is on. */
export interface RunTelemetry {
  subscriber: Subscriber
  /** TRACEPARENT of the step run's span, plus the variables that make Claude Code join the trace. */
  stepEnv(step: {stepId: string; iteration: number}): Record<string, string>
}

export interface StartTelemetryOptions {
  settings: TelemetrySettings
  /** The run's environment: its OTEL_* choices are kept, and decide what Claude Code gets. */
  env: Readonly<Record<string, string | undefined>>
  /** adw's version, for the resource. */
  version: string
  /** Told once when spans cannot be exported (the run goes on). */
  warn(message: string): void
}

/** Loads the SDK and returns the run's subscriber. */
export async function startTelemetry(opts: StartTelemetryOptions): Promise<RunTelemetry> {
  const {createRunTelemetry} = await import('./tracer.js')
  return createRunTelemetry(opts)
}
