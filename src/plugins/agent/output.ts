import type {Ajv, ValidateFunction} from 'ajv'
import {newAjv} from '../../pipeline/schema.js'

/** The outcome of reading the final answer as JSON. */
export type JsonResult = {ok: true; value: Record<string, unknown>} | {ok: false; problem: string}

/**
 * Finds the JSON object in the model's final text: the whole text, else the last ```json (or bare ```)
 * fence, else the span from the first `{` to the last `}`. Must be an object (outputs are keyed).
 */
export function extractJson(text: string): JsonResult {
  const candidates: string[] = [text.trim()]
  const fences = [...text.matchAll(/```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/g)].map(m => m[1].trim())
  candidates.push(...fences.reverse())
  const first = text.indexOf('{')
  const last = text.lastIndexOf('}')
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1))
  let problem: string | undefined
  for (const c of candidates) {
    if (!c) continue
    try {
      const value = JSON.parse(c)
      if (value && typeof value === 'object' && !Array.isArray(value)) return {ok: true, value}
      problem ??= `the JSON is ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : `a ${typeof value}`}, not an object`
    } catch (error: any) {
      problem ??= `invalid JSON (${error.message})`
    }
  }
  if (first < 0 && !fences.length && !problem?.startsWith('the JSON')) problem = 'the answer contains no JSON object'
  return {ok: false, problem: problem ?? 'the answer is empty'}
}

let ajv: Ajv | undefined
const compiled = new WeakMap<object, ValidateFunction>()

/** Checks `value` against a JSON Schema; returns readable problems (empty when valid). */
export function checkSchema(value: unknown, schema: Record<string, unknown>): string[] {
  let validate = compiled.get(schema)
  if (!validate) {
    ajv ??= newAjv({allErrors: true, strict: false})
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(value)) return []
  return (validate.errors ?? []).map(e => {
    const where = e.instancePath || '(root)'
    const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as any).additionalProperty})` : e.keyword === 'enum' ? ` (${(e.params as any).allowedValues.join(', ')})` : ''
    return `${where} ${e.message}${extra}`
  })
}

/** The corrective user turn after an answer that was not the JSON asked for. */
export function correctionPrompt(problem: string, schema?: Record<string, unknown>): string {
  return [
    `Your final answer could not be used: ${problem}.`,
    'Reply again with only the JSON object, no prose before or after it (a ```json fence is fine).',
    schema ? `It must match this JSON Schema:\n${JSON.stringify(schema, null, 2)}` : '',
  ]
    .filter(Boolean)
    .join('\n')
}

/** Instruction appended to the system prompt of `output: json` steps. */
export function jsonInstruction(schema?: Record<string, unknown>): string {
  return [
    'When you have finished, your final message must be a single JSON object and nothing else (a ```json fence is fine).',
    schema ? `The object must match this JSON Schema:\n${JSON.stringify(schema, null, 2)}` : '',
  ]
    .filter(Boolean)
    .join('\n')
}
