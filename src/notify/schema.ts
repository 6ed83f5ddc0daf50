/**
 * The `notify:` section (adw.config.yaml): its JSON Schema, and a check that turns ajv's errors into
 * one located message each (`adw.config.yaml:7:11: notify[0].on[1] must be one of …`).
 */
import type {ErrorObject} from 'ajv'
import {getPipelineSchema, newAjv} from '../pipeline/schema.js'
import {crossChecks, label, type Problem} from './cross-checks.js'

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

/** The schema of `notify:`: the pipeline schema's definition (pipelines/pipeline.schema.json), one for both files. */
export const notifySchema = (): Record<string, unknown> => (getPipelineSchema() as {definitions: Record<string, Record<string, unknown>>}).definitions.notify

const HINTS: Record<string, string> = {
  url: 'an http:// or https:// URL, or ${VARIABLE} holding one',
  timeout: 'a duration such as 500ms, 5s or 1m',
  secretEnv: 'the name of an environment variable',
}

export {label, type Problem} from './cross-checks.js'

/** Checks a `notify:` value (plain JSON); every problem, in order. */
export function checkNotify(value: unknown): Problem[] {
  const validate = newAjv({allErrors: true, verbose: true, strict: false}).compile(notifySchema())
  const problems: Problem[] = []
  if (!validate(value)) for (const e of validate.errors ?? []) problems.push(describe(e))
  return [...problems, ...crossChecks(value)]
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
