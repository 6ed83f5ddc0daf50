// The steps of a pipeline, checked and built: ids, needs, executors, `with:` options, templates,
// conditions, forEach and retry. Steps are checked in the order they can run (upstream first), so
// a step's readers know what it outputs; they are returned in file order.
import {DEFAULT_FOR_EACH_ITEMS, MAX_STEP_TIMEOUT_MS} from '../limits.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import type {OutputDeclarations, StepExecutor} from '../plugins/types.js'
import {PipelineNeeds, type Place} from './needs.js'
import {checkExpression, checkListExpression, checkTemplate, FOR_EACH_LOCALS, type RefScope} from './references.js'
import {parseRetry} from './retry-policy.js'
import {executorValidator, reportAjvErrors} from './schema.js'
import type {PathSegment, SourceFile} from './source.js'
import {closest} from './suggest.js'
import {parseTimeout} from './template.js'
import type {ActionStep, Condition, ForEach, InputDef, LoopStep, PipelineGraph, Step} from './types.js'

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The outputs an executor declares for one step; undefined (any name) when it declares none or fails to say. */
function declaredOutputs(executor: StepExecutor | undefined, withBlock: Record<string, unknown>): OutputDeclarations | undefined {
  try {
    const declared = typeof executor?.outputs === 'function' ? executor.outputs(withBlock) : executor?.outputs
    return declared && typeof declared === 'object' ? declared : undefined
  } catch {
    return undefined
  }
}

/** Each id's first position in a step list (a later duplicate is reported, not built). */
function firstIndex(list: unknown[]): Map<string, number> {
  const index = new Map<string, number>()
  list.forEach((s, i) => {
    if (isObject(s) && typeof s.id === 'string' && !index.has(s.id)) index.set(s.id, i)
  })
  return index
}

/** Walks the steps: ids, needs, executors, `with:` options, templates and conditions. */
export class StepChecker {
  private readonly all = new Map<string, number>()
  private readonly executors = new Map<string, Promise<StepExecutor | undefined>>()
  /** What each step's executor declares it outputs (see StepExecutor.outputs). */
  private readonly outputs = new Map<string, OutputDeclarations | undefined>()
  /** Steps with forEach: their outputs are a list. */
  private readonly fanOut = new Set<string>()
  private readonly inputs: Set<string>
  private readonly inputTypes: Record<string, InputDef['type']>
  private needs!: PipelineNeeds

  constructor(
    private readonly src: SourceFile,
    private readonly registry: ExecutorRegistry,
    private readonly pipelineDir: string,
    inputs: Record<string, InputDef>,
  ) {
    this.inputs = new Set(Object.keys(inputs))
    this.inputTypes = Object.fromEntries(Object.entries(inputs).map(([k, d]) => [k, d.type]))
  }

  /** The built steps in file order, and the top level's graph. */
  async check(raw: unknown): Promise<{steps: Step[]; graph: PipelineGraph}> {
    const list = Array.isArray(raw) ? raw : []
    this.collectIds(list, ['steps'])
    this.needs = new PipelineNeeds(this.src, list, this.all)
    const index = firstIndex(list)
    const built = new Map<number, Step>()
    for (const id of this.needs.top.graph.order) {
      const i = index.get(id)!
      const step = list[i]
      const path = ['steps', i]
      const done = 'loop' in step ? await this.loop(step, path) : await this.action(step, path, {top: id, line: this.all.get(id)!})
      if (done) built.set(i, done)
    }
    return {steps: [...built.entries()].sort(([a], [b]) => a - b).map(([, s]) => s), graph: this.needs.top.graph}
  }

  private collectIds(list: unknown[], path: PathSegment[]): void {
    for (const [i, step] of list.entries()) {
      if (!isObject(step)) continue
      if (typeof step.id === 'string') {
        const node = this.src.nodeAt([...path, i, 'id'])
        const first = this.all.get(step.id)
        if (first === undefined) this.all.set(step.id, this.src.position(node?.range?.[0] ?? 0).line)
        else this.src.reportAt(node, `Duplicate step id "${step.id}": already used on line ${first}; step ids must be unique in the whole pipeline, loop bodies included`)
        if (step.forEach !== undefined && !('loop' in step)) this.fanOut.add(step.id)
      }
      if (Array.isArray(step.steps)) this.collectIds(step.steps, [...path, i, 'steps'])
    }
  }

  private scope(reader: string, place: Place, self?: string, forEach = false): RefScope {
    return {
      ...this.needs.scope(place),
      all: this.all,
      inputs: this.inputs,
      reader,
      self,
      outputs: this.outputs,
      inputTypes: this.inputTypes,
      fanOut: this.fanOut,
      ...(forEach ? {locals: FOR_EACH_LOCALS} : {}),
    }
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
    const line = this.all.get(id)!
    for (const key of ['forEach', 'maxItems', 'retry'] as const) {
      if (!(key in raw)) continue
      const hint = key === 'retry' ? `put retry: on the steps inside loop "${id}"` : `put forEach: on a step inside loop "${id}" (loops and fan-out nest one level at most)`
      this.src.reportAt(this.src.keyAt(path, key), `${key} goes on an action step, not on a loop: ${hint}`)
    }
    const cond = await this.condition(raw.if, [...path, 'if'], 'if', this.scope(reader, {top: id, loop: id, line}, id))
    const built = new Map<number, ActionStep>()
    const bodyGraph = this.needs.bodies.get(id)
    const rawBody: unknown[] = Array.isArray(raw.steps) ? raw.steps : []
    const index = firstIndex(rawBody)
    for (const stepId of bodyGraph?.graph.order ?? []) {
      const j = index.get(stepId)!
      const step = rawBody[j] as Record<string, any>
      if ('loop' in step) {
        this.src.reportAt(this.src.keyAt([...path, 'steps', j], 'loop'), `Loops cannot be nested: "${stepId}" is inside loop "${id}". Move it after the loop, or merge the two loops`)
        continue
      }
      const done = await this.action(step, [...path, 'steps', j], {top: id, loop: id, body: stepId, line: this.all.get(stepId)!})
      if (done) built.set(j, done)
    }
    rawBody.forEach((step, j) => {
      if (isObject(step) && typeof step.id !== 'string' && 'loop' in step) {
        this.src.reportAt(this.src.keyAt([...path, 'steps', j], 'loop'), `Loops cannot be nested: this step is inside loop "${id}". Move it after the loop, or merge the two loops`)
      }
    })
    const until = await this.condition(raw.loop?.until, [...path, 'loop', 'until'], 'until', this.scope(reader, {top: id, loop: id, until: true, line}, id))
    if (!until || !isObject(raw.loop) || !bodyGraph) return undefined
    const {needs, explicit} = this.needs.of(id)
    return {
      kind: 'loop',
      id,
      ...(typeof raw.name === 'string' ? {name: raw.name} : {}),
      ...(cond ? {if: cond} : {}),
      pos: this.pos(path),
      needs,
      explicitNeeds: explicit,
      maxAttempts: raw.loop.maxAttempts,
      until,
      onExhausted: raw.loop.onExhausted === 'continue' ? 'continue' : 'fail',
      steps: [...built.entries()].sort(([a], [b]) => a - b).map(([, s]) => s),
      graph: bodyGraph.graph,
    }
  }

  private async action(raw: Record<string, any>, path: PathSegment[], place: Place): Promise<ActionStep | undefined> {
    const id = String(raw.id)
    const reader = `step "${id}"`
    const forEach = raw.forEach === undefined ? undefined : await this.forEach(raw, path, reader, this.scope(reader, place, id))
    if (raw.forEach === undefined && raw.maxItems !== undefined) {
      this.src.reportAt(this.src.keyAt(path, 'maxItems'), `maxItems of ${reader} bounds a forEach list, but the step has no forEach:. Add forEach: <list>, or remove maxItems`)
    }
    const scope = this.scope(reader, place, id, raw.forEach !== undefined)
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
    const retry = parseRetry(this.src, raw.retry, [...path, 'retry'], reader)
    this.outputs.set(id, declaredOutputs(executor, withBlock))
    if (!executor || (raw.forEach !== undefined && !forEach)) return undefined
    const {needs, explicit} = this.needs.of(id)
    return {
      kind: 'action',
      id,
      ...(typeof raw.name === 'string' ? {name: raw.name} : {}),
      ...(cond ? {if: cond} : {}),
      pos: this.pos(path),
      needs,
      explicitNeeds: explicit,
      uses: raw.uses,
      executor,
      with: withBlock,
      ...(timeoutMs === undefined ? {} : {timeoutMs}),
      continueOnError: raw.continueOnError === true,
      ...(raw.unsafeRaw === true ? {unsafeRaw: true} : {}),
      ...(retry ? {retry} : {}),
      ...(forEach ? {forEach} : {}),
    }
  }

  /** `forEach:` (a CEL list expression, or a YAML list) and `maxItems:`. */
  private async forEach(raw: Record<string, any>, path: PathSegment[], reader: string, scope: RefScope): Promise<ForEach | undefined> {
    const maxItems = Number.isInteger(raw.maxItems) ? (raw.maxItems as number) : DEFAULT_FOR_EACH_ITEMS
    const node = this.src.nodeAt([...path, 'forEach'])
    if (Array.isArray(raw.forEach)) {
      const items = raw.forEach as unknown[]
      if (items.length > maxItems) {
        this.src.reportAt(node, `forEach of ${reader} lists ${items.length} items, more than maxItems (${maxItems}): raise maxItems (at most 1000) or split the list`)
        return undefined
      }
      return {items: {source: JSON.stringify(items), pos: this.pos([...path, 'forEach']), evaluate: () => structuredClone(items)}, maxItems}
    }
    if (typeof raw.forEach !== 'string' || raw.forEach.trim() === '') return undefined
    const items = await checkListExpression(this.src, node, raw.forEach, scope, 'forEach')
    return items ? {items, maxItems} : undefined
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
