import {dirname, resolve} from 'node:path'
import {isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError} from 'yaml'
import {pipelineBudgets} from '../budget/pipeline.js'
import {crossChecks} from '../notify/cross-checks.js'
import type {NotifyTargetConfig} from '../notify/schema.js'
import {ValidationError} from '../errors.js'
import {DEFAULT_CONCURRENCY, readInputFile} from '../limits.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import {checkPipelineSchema} from './schema.js'
import {SourceFile} from './source.js'
import {StepChecker} from './steps.js'
import type {InputDef, Pipeline} from './types.js'

export interface LoadOptions {
  /** Resolves every `uses:`. */
  registry: ExecutorRegistry
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads, parses and validates a pipeline file; throws ValidationError listing every problem. */
export async function loadPipeline(file: string, opts: LoadOptions): Promise<Pipeline> {
  const source = readPipelineFile(file)
  return loadPipelineSource(source, file, opts)
}

/** The file's text; PIPELINE_NOT_FOUND (exit 2) for a missing file or a directory, PIPELINE_INVALID past MAX_INPUT_FILE_BYTES. */
function readPipelineFile(file: string): string {
  return readInputFile(file, {
    what: `Pipeline file ${file}`,
    code: 'PIPELINE_INVALID',
    unreadableCode: 'PIPELINE_NOT_FOUND',
    ifDirectory: ['Give the path of a .yaml pipeline, e.g. adw validate pipelines/plan-build.yaml'],
    ifTooLarge: ['Check that this is the pipeline you meant; keep long prompts and data in files the steps read, or split the pipeline'],
  })
}

function yamlMessage(e: YAMLError): string {
  return `YAML syntax error: ${e.message.split('\n')[0]}`
}

/** A scalar key seen twice in one mapping (as yaml's uniqueKeys: by value), in linear time. */
function reportDuplicateKeys(src: SourceFile, doc: Document.Parsed): void {
  visit(doc, {
    Map(_, map) {
      const keys = new Set<unknown>()
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === '<<') continue
        if (keys.has(pair.key.value)) src.reportAt(pair.key, `Duplicate key "${String(pair.key.value)}": each key may appear only once in a mapping`)
        keys.add(pair.key.value)
      }
    },
  })
}

/** An unclosed quote is reported where the scalar ends (often end of file); point at where it opens. */
function yamlErrorOffset(e: YAMLError, text: string): number {
  const quote = e.code === 'MISSING_CHAR' ? /closing (["'])/.exec(e.message)?.[1] : undefined
  if (quote) {
    const open = text.lastIndexOf(quote, Math.min(e.pos[0], text.length - 1))
    if (open >= 0) return open
  }
  return e.pos[0]
}

function fail(src: SourceFile): never {
  const sorted = [...src.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col)
  throw new ValidationError(sorted)
}

/** Same as loadPipeline, from the file's text (resume uses the stored text). `file` names it in messages. */
export async function loadPipelineSource(source: string, file: string, opts: LoadOptions): Promise<Pipeline> {
  const lineCounter = new LineCounter()
  // Duplicate keys are found below: yaml's own check compares each key with every earlier one of its
  // map (30,000 keys in one map took 32 s; a 1 MiB file could hold 100,000).
  const doc = parseDocument(source, {lineCounter, uniqueKeys: false, prettyErrors: false})
  const src = new SourceFile(file, source, lineCounter, doc)
  const seen = new Set<number>()
  for (const e of doc.errors) {
    const at = yamlErrorOffset(e, source)
    if (!seen.has(at)) src.report(at, yamlMessage(e)) // one message per spot: yaml often gives two
    seen.add(at)
  }
  if (doc.errors.length > 0) fail(src)
  reportDuplicateKeys(src, doc)
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 1000})
  } catch (error) {
    src.report(0, `YAML error: ${(error as Error).message}`)
    fail(src)
  }
  if (!isObject(data)) {
    src.reportAt(doc.contents, 'A pipeline file must be a YAML mapping with at least name: and steps: (see adw schema)')
    fail(src)
  }
  checkPipelineSchema(src, data)
  for (const p of crossChecks(data.notify)) src.reportAt(src.nodeAt(['notify', ...p.path]), p.message)
  const inputs = checkInputs(src, data.inputs)
  const {steps, graph} = await new StepChecker(src, opts.registry, dirname(resolve(file)), inputs).check(data.steps)
  if (src.diagnostics.length > 0) fail(src)
  return {
    name: String(data.name),
    ...(typeof data.description === 'string' ? {description: data.description} : {}),
    file: resolve(file),
    source,
    inputs,
    steps,
    concurrency: Number.isInteger(data.concurrency) ? data.concurrency : DEFAULT_CONCURRENCY,
    failFast: data.failFast === true,
    graph,
    ...budgetsOf(data),
    ...(data.isolation === 'worktree' || data.isolation === 'none' ? {isolation: data.isolation} : {}),
    ...(Array.isArray(data.notify) && data.notify.length ? {notify: data.notify as NotifyTargetConfig[]} : {}),
  }
}

/** `budget:` of the pipeline and its steps (src/budget/), when any is given. */
function budgetsOf(data: Record<string, unknown>): {budget?: Pipeline['budget']} {
  const budget = pipelineBudgets(data)
  return budget ? {budget} : {}
}

function checkInputs(src: SourceFile, raw: unknown): Record<string, InputDef> {
  const inputs: Record<string, InputDef> = {}
  if (!isObject(raw)) return inputs
  for (const [name, def] of Object.entries(raw)) {
    if (!isObject(def)) continue
    const type = (['string', 'number', 'boolean'].includes(def.type) ? def.type : 'string') as InputDef['type']
    if (def.default !== undefined && typeof def.default !== type && ['string', 'number', 'boolean'].includes(typeof def.default)) {
      src.reportAt(src.nodeAt(['inputs', name, 'default']), `Default of input "${name}" must be a ${type} (its type), got ${JSON.stringify(def.default)}`)
    }
    if (def.secret === true && def.default !== undefined) {
      src.reportAt(src.nodeAt(['inputs', name, 'default']), `Input "${name}" is secret: it cannot have a default (the pipeline file is stored with every run); pass it with --input ${name}=... instead`)
    }
    inputs[name] = {...def, type} as InputDef
  }
  return inputs
}
