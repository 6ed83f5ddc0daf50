import {AdwError} from '../errors.js'
import {resolveInputs} from '../pipeline/template.js'
import type {Pipeline} from '../pipeline/types.js'
import {createRedactor, MASK, type Redactor} from './redactor.js'

/** The values of the inputs the pipeline declares `secret: true` (steps get them; nothing records them). */
export function secretInputValues(pipeline: Pipeline, inputs: Record<string, unknown>): string[] {
  return Object.keys(pipeline.inputs)
    .filter(name => pipeline.inputs[name].secret && inputs[name] !== undefined)
    .map(name => String(inputs[name]))
}

/** The inputs as the store and the logs keep them: a secret input is MASK whatever its length, any other is masked by `redact`. */
export function recordedInputs(pipeline: Pipeline, inputs: Record<string, unknown>, redact: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(inputs)) out[name] = pipeline.inputs[name]?.secret ? MASK : redact.value(value)
  return out
}

/** `resolveInputs`, whose error messages never repeat the value of a secret input. */
export function resolveRunInputs(pipeline: Pipeline, given: Record<string, string>): Record<string, unknown> {
  try {
    return resolveInputs(pipeline, given)
  } catch (error) {
    if (!(error instanceof AdwError)) throw error
    const redact = createRedactor(secretInputValues(pipeline, given))
    const message = redact.text(error.message)
    if (message === error.message) throw error
    throw new AdwError(error.code, message, {suggestions: error.suggestions})
  }
}

/**
 * `adw run --resume`: the stored inputs, with the ones that were stored masked (declared secret, or
 * holding a secret's value) given again by `--input name=value`. Any other `--input` is refused, and
 * so is a masked input left out: resuming with "[REDACTED]" as its value would be silently wrong.
 */
export function restoreInputs(pipeline: Pipeline, adwId: string, stored: Record<string, unknown>, given: Record<string, string>): Record<string, unknown> {
  const masked = Object.keys(stored).filter(n => pipeline.inputs[n]?.secret || (typeof stored[n] === 'string' && (stored[n] as string).includes(MASK)))
  const extra = Object.keys(given).filter(n => !masked.includes(n))
  if (extra.length) {
    throw new AdwError('USAGE', `--resume continues run "${adwId}" with the inputs stored with it; --input is only for the inputs stored masked (${masked.join(', ') || 'none'}), not ${extra.join(', ')}`, {
      suggestions: [`adw run --resume --adw-id ${adwId}${masked.map(n => ` --input ${n}=...`).join('')}`],
    })
  }
  const missing = masked.filter(n => !(n in given))
  if (missing.length) {
    throw new AdwError('USAGE', `Run "${adwId}" was started with secret input(s) ${missing.join(', ')}, which adw stores masked; give them again to resume`, {
      suggestions: [`adw run --resume --adw-id ${adwId}${missing.map(n => ` --input ${n}=...`).join('')}`],
    })
  }
  if (masked.length === 0) return stored
  const only = {...pipeline, inputs: Object.fromEntries(masked.map(n => [n, {...(pipeline.inputs[n] ?? {type: 'string' as const}), required: false, default: undefined}]))}
  return {...stored, ...resolveRunInputs(only, given)}
}
