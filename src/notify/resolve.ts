/**
 * Targets as written → targets ready to send: `${NAME}` in a webhook's url, secret and header values
 * replaced by variables from your shell or adw.config.yaml `env:` (never from a working directory's
 * `.env`: a cloned repository must not choose where runs are reported), `secretEnv:` read, durations
 * parsed. A variable that is not set refuses the run before it starts (exit 2).
 */
import {AdwError} from '../errors.js'
import {parseTimeout} from '../pipeline/template.js'
import {label, type NotifyEvent, type NotifyTargetConfig} from './schema.js'

export interface WebhookTarget {
  kind: 'webhook'
  name: string
  on: ReadonlySet<NotifyEvent>
  url: string
  secret?: string
  headers: Record<string, string>
  timeoutMs: number
  retries: number
}

export interface CommandTarget {
  kind: 'command'
  name: string
  on: ReadonlySet<NotifyEvent>
  command: string
}

export type NotifyTarget = WebhookTarget | CommandTarget

export const DEFAULT_TIMEOUT_MS = 5000
export const DEFAULT_RETRIES = 3

/** Resolves every target; `where` names the file for messages. */
export function resolveTargets(targets: NotifyTargetConfig[], env: Readonly<Record<string, string | undefined>>, where: string): NotifyTarget[] {
  const missing: string[] = []
  const expand = (text: string, path: Array<string | number>) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name]
      if (v === undefined || v === '') missing.push(`${label(path)} uses \${${name}}, which is not set in your shell or adw.config.yaml env:`)
      return v ?? ''
    })
  const out = targets.map((t, i): NotifyTarget => {
    const on = new Set(t.on)
    if (t.command !== undefined) return {kind: 'command', name: t.name ?? `command ${t.command.trim().split(/\s+/)[0]}`, on, command: t.command}
    const w = t.webhook!
    const url = expand(w.url, [i, 'webhook', 'url'])
    let secret = w.secret === undefined ? undefined : expand(w.secret, [i, 'webhook', 'secret'])
    if (w.secretEnv !== undefined) {
      secret = env[w.secretEnv]
      if (!secret) missing.push(`${label([i, 'webhook', 'secretEnv'])} names ${w.secretEnv}, which is not set in your shell or adw.config.yaml env:`)
    }
    const headers = Object.fromEntries(Object.entries(w.headers ?? {}).map(([k, v]) => [k, expand(v, [i, 'webhook', 'headers', k])]))
    if (!missing.length && !/^https?:\/\/\S+$/.test(url)) missing.push(`${label([i, 'webhook', 'url'])} must be an http:// or https:// URL once its variables are filled in`)
    return {kind: 'webhook', name: t.name ?? `webhook ${hostOf(url)}`, on, url, ...(secret ? {secret} : {}), headers, timeoutMs: (w.timeout ? parseTimeout(w.timeout) : DEFAULT_TIMEOUT_MS), retries: w.retries ?? DEFAULT_RETRIES}
  })
  if (missing.length) {
    throw new AdwError('CONFIG_INVALID', `${where}: ${missing.join('; ')}`, {suggestions: ['export the variable (e.g. export ADW_WEBHOOK_SECRET=...) or set it under env: in adw.config.yaml']})
  }
  return out
}

/** A URL as logs show it: scheme and host; the path and query (Slack's secret) masked. */
export function maskWebhookUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname === '/' && !u.search ? '' : '/***'}`
  } catch {
    return '***'
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '?'
  }
}

