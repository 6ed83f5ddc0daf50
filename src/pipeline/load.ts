import {dirname, resolve} from 'node:path'
import {isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError} from 'yaml'
import {pipelineBudgets} from '../budget/pipeline.js'
import {ValidationError} from '../errors.js'
import {MAX_STEP_TIMEOUT_MS, readInputFile} from '../limits.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import type {OutputDeclarations, StepExecutor} from '../plugins/types.js'
import {checkExpression, checkTemplate, type RefScope} from './references.js'
import {checkPipelineSchema, executorValidator, reportAjvErrors} from './schema.js'
import {SourceFile, type PathSegment} from './source.js'
import {closest} from './suggest.js'
import {parseTimeout} from './template.js'
import type {ActionStep, Condition, InputDef, LoopStep, Pipeline, Step} from './types.js'

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
  const inputs = checkInputs(src, data.inputs)
  const steps = await new StepChecker(src, opts.registry, dirname(resolve(file)), inputs).check(data.steps)
  if (src.diagnostics.length > 0) fail(src)
  return {
    name: String(data.name),
    ...(typeof data.description === 'string' ? {description: data.description} : {}),
    file: resolve(file),
    source,
    inputs,
    steps,
    ...budgetsOf(data),
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

/** The outputs an executor declares for one step; undefined (any name) when it declares none or fails to say. */
function declaredOutputs(executor: StepExecutor | undefined, withBlock: Record<string, unknown>): OutputDeclarations | undefined {
  try {
    const declared = typeof executor?.outputs === 'function' ? executor.outputs(withBlock) : executor?.outputs
    return declared && typeof declared === 'object' ? declared : undefined
  } catch {
    return undefined
  }
}

/** Walks the steps in run order: ids, executors, `with:` options, templates and conditions. */
class StepChecker {
  private readonly all = new Map<string, number>()
  private readonly earlier = new Set<string>()
  private readonly executors = new Map<string, Promise<StepExecutor | undefined>>()
  /** What each step's executor declares it outputs (see StepExecutor.outputs). */
  private readonly outputs = new Map<string, OutputDeclarations | undefined>()
  private readonly inputs: Set<string>
  private readonly inputTypes: Record<string, InputDef['type']>

  constructor(
    private readonly src: SourceFile,
    private readonly registry: ExecutorRegistry,
    private readonly pipelineDir: string,
    inputs: Record<string, InputDef>,
  ) {
    this.inputs = new Set(Object.keys(inputs))
    this.inputTypes = Object.fromEntries(Object.entries(inputs).map(([k, d]) => [k, d.type]))
  }

  async check(raw: unknown): Promise<Step[]> {
    if (!Array.isArray(raw)) return []
    this.collectIds(raw, ['steps'])
    const steps: Step[] = []
    for (const [i, step] of raw.entries()) {
      if (!isObject(step)) continue
      const path = ['steps', i]
      const built = 'loop' in step ? await this.loop(step, path) : await this.action(step, path)
      if (built) steps.push(built)
    }
    return steps
  }

  private collectIds(list: unknown[], path: PathSegment[]): void {
    for (const [i, step] of list.entries()) {
      if (!isObject(step)) continue
      if (typeof step.id === 'string') {
        const node = this.src.nodeAt([...path, i, 'id'])
        const first = this.all.get(step.id)
        if (first === undefined) this.all.set(step.id, this.src.position(node?.range?.[0] ?? 0).line)
        else this.src.reportAt(node, `Duplicate step id "${step.id}": already used on line ${first}; step ids must be unique in the whole pipeline, loop bodies included`)
      }
      if (Array.isArray(step.steps)) this.collectIds(step.steps, [...path, i, 'steps'])
    }
  }

  private scope(reader: string, self?: string): RefScope {
    return {earlier: this.earlier, all: this.all, inputs: this.inputs, reader, self, outputs: this.outputs, inputTypes: this.inputTypes}
  }

  private pos(path: PathSegment[]) {
    return {file: this.src.displayName, ...this.src.position(this.src.nodeAt(path)?.range?.[0] ?? 0)}
  }

  private async condition(value: unknown, path: PathSegment[], label: string, scope: RefScope): Promise<Condition | undefined> {
    if (typeof value === 'boolean') value = String(value)
    if (typeof value !== 'string' || value.trim() === '') return undefined
    return checkExpression(this.src, this.src.nodeAt(path), value, scope, label)
  }

  private async loop(raw: Record<string, any>, path: PathSegment[]): Promise<LoopStep | undefined> {
    const id = String(raw.id)
    const reader = `loop "${id}"`
    const cond = await this.condition(raw.if, [...path, 'if'], 'if', this.scope(reader, id))
    const body: ActionStep[] = []
    if (Array.isArray(raw.steps)) {
      for (const [j, step] of raw.steps.entries()) {
        if (!isObject(step)) continue
        if ('loop' in step) {
          this.src.reportAt(this.src.keyAt([...path, 'steps', j], 'loop'), `Loops cannot be nested: ${typeof step.id === 'string' ? `"${step.id}"` : 'this step'} is inside loop "${id}". Move it after the loop, or merge the two loops`)
          continue
        }
        const built = await this.action(step, [...path, 'steps', j])
        if (built) body.push(built)
      }
    }
    const until = await this.condition(raw.loop?.until, [...path, 'loop', 'until'], 'until', this.scope(reader, id))
    this.earlier.add(id)
    if (!until || !isObject(raw.loop)) return undefined
    return {
      kind: 'loop',
      id,
      ...(typeof raw.name === 'string' ? {name: raw.name} : {}),
      ...(cond ? {if: cond} : {}),
      pos: this.pos(path),
      maxAttempts: raw.loop.maxAttempts,
      until,
      onExhausted: raw.loop.onExhausted === 'continue' ? 'continue' : 'fail',
      steps: body,
    }
  }

  private async action(raw: Record<string, any>, path: PathSegment[]): Promise<ActionStep | undefined> {
    const id = String(raw.id)
    const reader = `step "${id}"`
    const scope = this.scope(reader, id)
    const cond = await this.condition(raw.if, [...path, 'if'], 'if', scope)
    const withBlock = isObject(raw.with) ? raw.with : {}
    this.templates(withBlock, [...path, 'with'], scope)
    const executor = typeof raw.uses === 'string' && raw.uses !== '' ? await this.executor(raw.uses, [...path, 'uses'], id) : undefined
    if (executor?.schema && (raw.with === undefined || isObject(raw.with))) this.options(executor, withBlock, [...path, 'with'], id)
    if (executor?.shellOptions) await this.shellTemplates(executor.shellOptions, withBlock, [...path, 'with'], id, raw.unsafeRaw === true)
    let timeoutMs: number | undefined
    if (typeof raw.timeout === 'string') {
      try {
        timeoutMs = parseTimeout(raw.timeout)
        if (timeoutMs === 0) this.src.reportAt(this.src.nodeAt([...path, 'timeout']), `timeout of ${reader} must be more than 0, e.g. "30s"`)
        if (timeoutMs > MAX_STEP_TIMEOUT_MS) this.src.reportAt(this.src.nodeAt([...path, 'timeout']), `timeout of ${reader} must be at most 24h, got "${raw.timeout}"; e.g. "2h"`)
      } catch {
        // the schema reports the pattern
      }
    }
    this.outputs.set(id, declaredOutputs(executor, withBlock))
    this.earlier.add(id)
    if (!executor) return undefined
    return {
      kind: 'action',
      id,
      ...(typeof raw.name === 'string' ? {name: raw.name} : {}),
      ...(cond ? {if: cond} : {}),
      pos: this.pos(path),
      uses: raw.uses,
      executor,
      with: withBlock,
      ...(timeoutMs === undefined ? {} : {timeoutMs}),
      continueOnError: raw.continueOnError === true,
      ...(raw.unsafeRaw === true ? {unsafeRaw: true} : {}),
    }
  }

  private templates(value: unknown, path: PathSegment[], scope: RefScope): void {
    if (typeof value === 'string') {
      if (value.includes('{{')) checkTemplate(this.src, this.src.nodeAt(path), value, scope)
    } else if (Array.isArray(value)) value.forEach((v, i) => this.templates(v, [...path, i], scope))
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) this.templates(v, [...path, k], scope)
  }

  /** Where each tag of a shell option sits, as bash reads the script (src/pipeline/shell/). */
  private async shellTemplates(keys: string[], withBlock: Record<string, unknown>, path: PathSegment[], id: string, unsafeRaw: boolean): Promise<void> {
    const visit = async (value: unknown, at: PathSegment[], label: string): Promise<void> => {
      if (typeof value === 'string') {
        if (!value.includes('{{')) return
        const {checkShellTemplate} = await import('./shell/check.js')
        await checkShellTemplate(this.src, this.src.nodeAt(at), value, label, unsafeRaw)
      } else if (Array.isArray(value)) for (const [i, v] of value.entries()) await visit(v, [...at, i], label)
      else if (isObject(value)) for (const [k, v] of Object.entries(value)) await visit(v, [...at, k], label)
    }
    for (const key of keys) if (key in withBlock) await visit(withBlock[key], [...path, key], `${key} of step "${id}"`)
  }

  private async executor(uses: string, path: PathSegment[], id: string): Promise<StepExecutor | undefined> {
    if (!this.executors.has(uses)) this.executors.set(uses, this.registry.resolve(uses, this.pipelineDir).catch((error: unknown) => error as any))
    const found: any = await this.executors.get(uses)
    const node = this.src.nodeAt(path)
    if (found instanceof Error) {
      this.src.reportAt(node, `Cannot load executor "${uses}" in step "${id}": ${found.message.split('\n')[0]}`)
      return undefined
    }
    if (!found) {
      const near = closest(uses, this.registry.names())
      const hint = near.length > 0 ? ` Did you mean ${near.map(n => `"${n}"`).join(' or ')}?` : ''
      this.src.reportAt(node, `Unknown executor "${uses}" in step "${id}".${hint} Try: adw executors (known: ${this.registry.names().join(', ')})`)
      return undefined
    }
    return found
  }

  private options(executor: StepExecutor, withBlock: Record<string, unknown>, path: PathSegment[], id: string): void {
    let validate
    try {
      validate = executorValidator(executor.schema!)
    } catch (error) {
      this.src.reportAt(this.src.nodeAt(path.slice(0, -1)), `Executor "${executor.name}" has an invalid options schema (a bug in the executor): ${(error as Error).message}`)
      return
    }
    if (validate(withBlock)) return
    // A templated string is checked again after rendering; its type is unknown until then.
    const errors = (validate.errors ?? []).filter(e => {
      const value = e.instancePath.split('/').slice(1).reduce<any>((v, k) => v?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], withBlock)
      return !(typeof value === 'string' && value.includes('{{'))
    })
    reportAjvErrors(this.src, errors, withBlock, path, `${executor.name} in step "${id}"`)
  }
}
