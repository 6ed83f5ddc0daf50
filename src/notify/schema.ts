/**
 * The `notify:` section (adw.config.yaml): its JSON Schema, and a check that turns ajv's errors into
 * one located message each (`adw.config.yaml:7:11: notify[0].on[1] must be one of …`).
 */
import type {ErrorObject} from 'ajv'
import {newAjv} from '../pipeline/schema.js'

import {NOTIFY_EVENTS, type NotifyEvent} from './events.js'

export {NOTIFY_EVENTS, type NotifyEvent} from './events.js'

/** A target as written. `${NAME}` in url, secret and header values is replaced by the variable from your shell or adw.config.yaml env:. */
export interface NotifyTargetConfig {
  /** Shown in logs and `adw notify test`. @default webhook <host> / command <program> */
  name?: string
  on: NotifyEvent[]
  webhook?: {
    url: string
    /** Key of the X-Adw-Signature HMAC. */
    secret?: string
    /** Variable holding the secret (instead of `secret:`). */
    secretEnv?: string
    headers?: Record<string, string>
    /** Per attempt. @default 5s */
    timeout?: string
    /** Retries after the first attempt, on 5xx, 429, timeouts and network errors. @default 3 */
    retries?: number
  }
  /** A program and its arguments (no shell): the event JSON on its stdin. */
  command?: string
}

/** As a step's timeout: 500ms, 5s, 1m, 1h30m. */
const DURATION = '^(?=\\d)(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$'

export const NOTIFY_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['on'],
    properties: {
      name: {type: 'string', minLength: 1},
      on: {type: 'array', minItems: 1, items: {enum: [...NOTIFY_EVENTS]}},
      webhook: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: {type: 'string', pattern: '^(https?://[^\\s]+|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}.*)$'},
          secret: {type: 'string', minLength: 1},
          secretEnv: {type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$'},
          headers: {type: 'object', additionalProperties: {type: 'string'}},
          timeout: {type: 'string', pattern: DURATION},
          retries: {type: 'integer', minimum: 0, maximum: 10},
        },
      },
      command: {type: 'string', minLength: 1},
    },
  },
} as const

const HINTS: Record<string, string> = {
  url: 'an http:// or https:// URL, or ${VARIABLE} holding one',
  timeout: 'a duration such as 500ms, 5s or 1m',
  secretEnv: 'the name of an environment variable',
}

/** A problem at a path inside `notify`, e.g. [0, 'webhook', 'url']. */
export type Problem = {path: Array<string | number>; message: string}

/** Checks a `notify:` value (plain JSON); every problem, in order. */
export function checkNotify(value: unknown): Problem[] {
  const validate = newAjv({allErrors: true, verbose: true, strict: false}).compile(NOTIFY_SCHEMA)
  const problems: Problem[] = []
  if (!validate(value)) for (const e of validate.errors ?? []) problems.push(describe(e))
  if (Array.isArray(value)) {
    value.forEach((t, i) => {
      if (!t || typeof t !== 'object') return
      const target = t as NotifyTargetConfig
      if (!!target.webhook === !!target.command) problems.push({path: [i], message: `${label([i])} needs either webhook: {url: ...} or command: "..." (one of them)`})
      if (target.webhook?.secret && target.webhook.secretEnv) problems.push({path: [i, 'webhook', 'secretEnv'], message: `${label([i, 'webhook'])}: give secret or secretEnv, not both`})
    })
  }
  return problems
}

/** `notify[0].webhook.url` */
export function label(path: Array<string | number>): string {
  return `notify${path.map(p => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`
}

function describe(e: ErrorObject): Problem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map(s => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map(s => (/^\d+$/.test(s) ? Number(s) : s))
  const at = label(path)
  const last = String(path.at(-1) ?? '')
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as {properties?: object})?.properties ?? {})
      return {path: [...path, String(e.params.additionalProperty)], message: `unknown key "${e.params.additionalProperty}" in ${at}; allowed: ${allowed.join(', ')}`}
    }
    case 'required':
      return {path, message: `${at} needs "${e.params.missingProperty}"`}
    case 'enum':
      return {path, message: `${at} must be one of ${NOTIFY_EVENTS.join(', ')}; got ${JSON.stringify(e.data)}`}
    case 'type':
      return {path, message: `${at} must be ${e.params.type === 'array' ? 'a list' : e.params.type === 'object' ? 'a mapping' : `a ${e.params.type}`}`}
    case 'pattern':
      return {path, message: `${at} must be ${HINTS[last] ?? `like ${e.params.pattern}`}; got ${JSON.stringify(e.data)}`}
    case 'minItems':
      return {path, message: `${at} must name at least one event (${NOTIFY_EVENTS.join(', ')})`}
    default:
      return {path, message: `${at} ${e.message}`}
  }
}
