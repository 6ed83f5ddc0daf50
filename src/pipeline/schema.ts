import type {Ajv, ErrorObject, Options, ValidateFunction} from 'ajv'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {precompiled} from './precompiled.js'
import {closest} from './suggest.js'
import type {PathSegment, SourceFile} from './source.js'

/**
 * The pipeline JSON Schema shipped in the package: `pipelines/pipeline.schema.json`, two levels
 * above this module both in `src/pipeline/` (tsx) and `dist/pipeline/` (built).
 */
export const SCHEMA_PATH = fileURLToPath(new URL('../../pipelines/pipeline.schema.json', import.meta.url))

let pipelineSchema: Record<string, unknown> | undefined
/** The pipeline JSON Schema, as an object. */
export function getPipelineSchema(): Record<string, unknown> {
  pipelineSchema ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>
  return pipelineSchema
}

/** ajv's options for every schema adw checks; bin/bundle.mjs precompiles adw's own schemas with them. */
export const AJV_OPTIONS = {allErrors: true, verbose: true, allowUnionTypes: true, strict: false}

/**
 * A new ajv instance. ajv loads on first use: with the bundled CLI, adw's own schemas are
 * precompiled, so only a plugin's schema or an agent step's output schema needs it.
 */
export function newAjv(options: Options): Ajv {
  return new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv(options)
}

let ajv: Ajv | undefined
/** A validator for `schema`: precompiled by the build when it is one of adw's own, else compiled now. */
function compile(schema: Record<string, unknown>): ValidateFunction {
  const ready = precompiled.get(JSON.stringify(schema))
  if (ready) return ready
  ajv ??= newAjv(AJV_OPTIONS)
  return ajv.compile(schema)
}

let pipelineValidator: ValidateFunction | undefined
const executorValidators = new WeakMap<object, ValidateFunction>()

/** Compiles (once) the validator of an executor's `with:` schema. Throws if the schema is invalid. */
export function executorValidator(schema: Record<string, unknown>): ValidateFunction {
  let v = executorValidators.get(schema)
  if (!v) {
    v = compile(schema)
    executorValidators.set(schema, v)
  }
  return v
}

const toPath = (instancePath: string): PathSegment[] =>
  instancePath
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map(s => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map(s => (/^\d+$/.test(s) ? Number(s) : s))

const shorten = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v)

/** What to call the thing at `path` in messages: `timeout of step "build"`, `the pipeline`. */
export function describePath(path: PathSegment[], data: any): string {
  const {field, subject} = splitPath(path, data)
  return field ? `${field} of ${subject}` : subject
}

/** The step or input a path is in, and the field inside it. */
function splitPath(path: PathSegment[], data: any): {field: string; subject: string} {
  let subject = 'the pipeline'
  let node = data
  let rest: PathSegment[] = []
  for (let i = 0; i < path.length; i++) {
    node = node?.[path[i]]
    const inSteps = path[i - 1] === 'steps' && typeof path[i] === 'number'
    if (inSteps) {
      const kind = node && typeof node === 'object' && 'loop' in node ? 'loop' : 'step'
      subject = typeof node?.id === 'string' ? `${kind} "${node.id}"` : `${kind} ${Number(path[i]) + 1}`
      rest = []
    } else if (path[i - 1] === 'inputs' && i === 1) {
      subject = `input "${path[i]}"`
      rest = []
    } else rest.push(path[i])
  }
  return {field: rest.filter(s => s !== 'steps' || rest.length === 1).join('.'), subject}
}

const TYPE_NAMES: Record<string, string> = {object: 'a mapping', array: 'a list', integer: 'an integer', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null'}
const typeList = (types: string | string[]) => String(types).split(',').map(t => TYPE_NAMES[t] ?? t).join(' or ')

const DURATION_RULE = 'use a number with a unit, e.g. "500ms", "30s", "10m" or "1h30m"'
const FIELD_RULES: Record<string, string> = {
  timeout: DURATION_RULE,
  initial: DURATION_RULE,
  max: DURATION_RULE,
  id: 'use letters, digits, _ and -, starting with a letter or _ (e.g. build_2)',
}

/** One readable message per ajv error (null to drop it), located on the right YAML node. */
export function reportAjvErrors(src: SourceFile, errors: ErrorObject[], data: unknown, base: PathSegment[] = [], what?: string): void {
  // `runn` given where `run` is required: the "unknown runn, did you mean run?" message says it all.
  const misspelt = new Set(
    errors
      .filter(e => e.keyword === 'additionalProperties')
      .map(e => `${e.instancePath}/${closest(String(e.params.additionalProperty), Object.keys((e.parentSchema as any)?.properties ?? {}))[0]}`),
  )
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue
    if (e.keyword === 'required' && misspelt.has(`${e.instancePath}/${e.params.missingProperty}`)) continue
    const path = [...base, ...toPath(e.instancePath)]
    const last = path.at(-1)
    const own = toPath(e.instancePath).join('.')
    const where = what ? (own ? `option "${own}" of ${what}` : `options of ${what}`) : describePath(path, data)
    const props = Object.keys((e.parentSchema as any)?.properties ?? {})
    const value = e.data
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty)
        const near = closest(key, props)
        const subject = what ? `option "${key}" for ${what}` : `key "${key}" in ${describePath(path, data)}`
        let msg = `Unknown ${subject}`
        msg += near.length > 0 ? `: did you mean "${near[0]}"?` : '.'
        msg += ` Allowed: ${props.join(', ')}`
        if (key === 'steps' && !what) msg += ' (a loop group needs a loop: key)'
        src.reportAt(src.keyAt(path, key) ?? src.nodeAt(path), msg)
        break
      }
      case 'required':
        src.reportAt(src.nodeAt(path), `Missing required ${what ? 'option' : 'key'} "${e.params.missingProperty}" in ${what ? (own ? `option "${own}" of ${what}` : what) : where}`)
        break
      case 'type':
        src.reportAt(src.nodeAt(path), `${where} must be ${typeList(e.params.type)}, got ${typeName(value)} ${shorten(value)}`)
        break
      case 'enum':
        src.reportAt(src.nodeAt(path), `${where} must be one of ${(e.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}, got ${shorten(value)}`)
        break
      case 'pattern':
        if (e.propertyName !== undefined) {
          src.reportAt(src.keyAt(path, e.propertyName) ?? src.nodeAt(path), `Invalid name "${e.propertyName}" in ${where}: use letters, digits and _, starting with a letter or _`)
        } else {
          const rule = FIELD_RULES[String(last)] ?? `it must match ${e.params.pattern}`
          const {field, subject} = what ? {field: `option ${own}`, subject: what} : splitPath(path, data)
          src.reportAt(src.nodeAt(path), `Invalid ${field || 'value'} ${shorten(value)} in ${subject}: ${rule}`)
        }
        break
      case 'minimum':
        src.reportAt(src.nodeAt(path), `${where} must be at least ${e.params.limit}, got ${shorten(value)}`)
        break
      case 'exclusiveMinimum':
        src.reportAt(src.nodeAt(path), `${where} must be more than ${e.params.limit}, got ${shorten(value)}`)
        break
      case 'minProperties':
        src.reportAt(src.nodeAt(path), `${where} must not be empty${last === 'budget' ? ': give usd, tokens or minutes, e.g. budget: {usd: 2}' : ''}`)
        break
      case 'maximum':
        src.reportAt(src.nodeAt(path), `${where} must be at most ${e.params.limit}, got ${shorten(value)}`)
        break
      case 'minItems':
        src.reportAt(src.nodeAt(path), `${where} must have at least ${e.params.limit} ${e.params.limit === 1 ? 'entry' : 'entries'}${last === 'steps' ? ' (add a step, e.g. - id: hello / uses: shell / with: {run: echo hi})' : ''}`)
        break
      case 'uniqueItems': {
        const dup = Array.isArray(value) ? value[e.params.i] : undefined
        const what = last === 'needs' ? 'a step' : 'an entry'
        src.reportAt(src.nodeAt([...path, e.params.i]), `${where} must not list ${what} twice: ${shorten(dup)} is there already; remove one`)
        break
      }
      case 'minLength':
        src.reportAt(src.nodeAt(path), `${where} must not be empty`)
        break
      default:
        src.reportAt(src.nodeAt(path), `${where} ${e.message ?? 'is invalid'}${value === undefined ? '' : `, got ${shorten(value)}`}`)
    }
  }
}

/** Checks parsed pipeline data against the JSON Schema, reporting every violation. */
export function checkPipelineSchema(src: SourceFile, data: unknown): boolean {
  pipelineValidator ??= compile(getPipelineSchema())
  if (pipelineValidator(data)) return true
  // A loop inside a loop gets one clear message from the loader instead of a pile of schema errors.
  const nested = (e: ErrorObject) => {
    const m = /^\/steps\/(\d+)\/steps\/(\d+)(\/|$)/.exec(e.instancePath)
    const item = m ? (data as any)?.steps?.[m[1]]?.steps?.[m[2]] : undefined
    return typeof item === 'object' && item !== null && 'loop' in item
  }
  // forEach or retry on a loop: the loader says where they go instead.
  const onLoop = (e: ErrorObject) => e.keyword === 'additionalProperties' && ['forEach', 'maxItems', 'retry'].includes(String(e.params.additionalProperty)) && 'loop' in ((e.data as object) ?? {})
  reportAjvErrors(src, (pipelineValidator.errors ?? []).filter(e => !nested(e) && !onLoop(e)), data)
  return false
}

/**
 * Checks a step's options after templating against its executor's schema (the load-time check
 * skips templated strings). Returns readable problems; empty when the options are valid.
 */
export function checkOptions(executor: {name: string; schema?: Record<string, unknown>}, options: Record<string, unknown>, stepId: string): string[] {
  if (!executor.schema) return []
  const validate = executorValidator(executor.schema)
  if (validate(options)) return []
  return (validate.errors ?? []).map(e => {
    const option = toPath(e.instancePath).join('.')
    const subject = option ? `option "${option}" of ${executor.name} in step "${stepId}"` : `options of ${executor.name} in step "${stepId}"`
    if (e.keyword === 'additionalProperties') return `Unknown option "${e.params.additionalProperty}" for ${executor.name} in step "${stepId}"`
    if (e.keyword === 'required') return `Missing required option "${e.params.missingProperty}" in ${subject}`
    if (e.keyword === 'type') return `${subject} must be ${typeList(e.params.type)} after templating, got ${typeName(e.data)} ${shorten(e.data)}`
    if (e.keyword === 'enum') return `${subject} must be one of ${(e.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')} after templating, got ${shorten(e.data)}`
    return `${subject} ${e.message ?? 'is invalid'} after templating, got ${shorten(e.data)}`
  })
}
