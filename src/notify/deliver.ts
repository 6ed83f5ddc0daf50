/** Sends one notification to one target, reporting each attempt in words a log row or a terminal shows. */
import {runCommand} from './command.js'
import type {NotifyPayload} from './payload.js'
import {maskWebhookUrl, type NotifyTarget} from './resolve.js'
import {sendWebhook} from './webhook.js'

/** One delivery attempt, as recorded (never the URL's path, a secret or a header value). */
export interface AttemptRecord {
  ok: boolean
  /** `webhook slack (https://hooks.slack.com/***) run.failed: attempt 1 → HTTP 503 in 12ms; next in 0.5s` */
  message: string
  details: {target: string; kind: NotifyTarget['kind']; event: string; attempt?: number; status?: number; exitCode?: number; error?: string; durationMs: number; retryInMs?: number; url?: string}
}

export interface DeliverOptions {
  version: string
  /** The environment of command targets. */
  env: Readonly<Record<string, string | undefined>>
  cwd?: string
  /** Masks secrets in what a failing command printed. */
  redact?: (text: string) => string
}

/** Resolves true when the notification arrived; never rejects. */
export async function deliver(target: NotifyTarget, payload: NotifyPayload, onAttempt: (a: AttemptRecord) => void, opts: DeliverOptions): Promise<boolean> {
  const body = JSON.stringify(payload)
  const redact = opts.redact ?? ((t: string) => t)
  if (target.kind === 'command') {
    const r = await runCommand(target, body, opts.env, {event: payload.event, adwId: payload.run.adwId, cwd: opts.cwd})
    const error = r.error === undefined ? undefined : redact(r.error)
    onAttempt({
      ok: r.ok,
      message: `${target.name} ${payload.event}: ${r.ok ? 'exit 0' : error} in ${r.durationMs}ms`,
      details: {target: target.name, kind: 'command', event: payload.event, ...(r.exitCode !== undefined ? {exitCode: r.exitCode} : {}), ...(error ? {error} : {}), durationMs: r.durationMs},
    })
    return r.ok
  }
  const url = maskWebhookUrl(target.url)
  // Whatever an error says, the URL's secret path does not reach a log.
  const clean = (text: string) => redact(text.split(target.url).join(url))
  return sendWebhook(target, body, {event: payload.event, delivery: crypto.randomUUID(), version: opts.version}, a => {
    const error = a.error === undefined ? undefined : clean(a.error)
    const result = a.ok ? `HTTP ${a.status}` : error ?? 'failed'
    const next = a.retryInMs !== undefined ? `; next attempt in ${(a.retryInMs / 1000).toFixed(1)}s` : a.ok ? '' : '; giving up'
    onAttempt({
      ok: a.ok,
      message: `${target.name} (${url}) ${payload.event}: attempt ${a.attempt} → ${result} in ${a.durationMs}ms${next}`,
      details: {target: target.name, kind: 'webhook', url, event: payload.event, attempt: a.attempt, ...(a.status !== undefined ? {status: a.status} : {}), ...(error ? {error} : {}), durationMs: a.durationMs, ...(a.retryInMs !== undefined ? {retryInMs: a.retryInMs} : {})},
    })
  })
}
