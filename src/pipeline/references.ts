import Mustache from 'mustache'
import type {Node} from 'yaml'
import type {OutputDeclarations} from '../plugins/types.js'
import type {ASTNode} from '@marcbachmann/cel-js'
import type {CompiledCondition, CompiledExpression} from './condition.js'
import type {SourceFile} from './source.js'
import type {SourcePos} from './types.js'
import {closest} from './suggest.js'

/** The roots a template or condition can read. */
export const SCOPE_ROOTS = ['inputs', 'steps', 'run', 'env'] as const

/** What a template or expression at some place in the pipeline may refer to. */
export interface RefScope {
  /** Whether step `id` has finished whenever this point runs: it is upstream of it (needs, directly or not). */
  visible(id: string): boolean
  /** The visible step ids, in file order, for messages and type checks. */
  visibleIds(): string[]
  /**
   * Why a step that exists is not visible here, when it is not simply later in the file: the
   * message's tail, e.g. `is not upstream of it ... needs: [plan, build]`. Undefined: it runs later.
   */
  notUpstream?(id: string): string | undefined
  /** Names the step itself binds: `item` and `index` in a forEach step. */
  locals?: ReadonlySet<string>
  /** Steps that fan out (forEach): their outputs are a list, one entry per item. */
  fanOut?: ReadonlySet<string>
  /** Every step id in the pipeline, with the line it is declared on. */
  all: Map<string, number>
  /** Declared input names. */
  inputs: Set<string>
  /** Who is reading, for messages: `step "build"`, `until of loop "fix"`. */
  reader: string
  /** The step the template or expression belongs to, if any. */
  self?: string
  /** The outputs each earlier step's executor declares (undefined: any name goes). */
  outputs?: Map<string, OutputDeclarations | undefined>
  /** The declared inputs' types, for type-checking conditions. */
  inputTypes?: Record<string, 'string' | 'number' | 'boolean'>
}

const didYouMean = (name: string, options: Iterable<string>) => {
  const near = closest(name, [...options])
  return near.length > 0 ? ` Did you mean "${near[0]}"?` : ''
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** Checks one `steps.X` / `inputs.X` reference; reports at `offset` when it is wrong. */
function checkRef(src: SourceFile, offset: number, root: string, key: string, shown: string, scope: RefScope): void {
  if (root === 'steps') {
    if (key !== scope.self && scope.visible(key)) return
    const before = scope.visibleIds()
    const why = key === scope.self ? undefined : scope.notUpstream?.(key)
    if (key === scope.self) {
      src.report(offset, `${capital(scope.reader)} reads its own outputs (${shown}): a step can only use outputs of steps that run before it`)
    } else if (why !== undefined) {
      src.report(offset, `${capital(scope.reader)} reads ${shown}, but step "${key}" (line ${scope.all.get(key)}) ${why}`)
    } else if (scope.all.has(key)) {
      src.report(offset, `${capital(scope.reader)} reads ${shown}, but step "${key}" runs later (line ${scope.all.get(key)}): a step can only use outputs of steps that run before it${before.length > 0 ? ` (${before.join(', ')})` : ''}`)
    } else {
      src.report(offset, `Unknown step "${key}" in ${shown} (${scope.reader}).${didYouMean(key, scope.all.keys())} Steps before this point: ${before.length > 0 ? before.join(', ') : '(none)'}`)
    }
  } else if (root === 'inputs' && !scope.inputs.has(key)) {
    const declared = [...scope.inputs]
    src.report(offset, `Undeclared input "${key}" in ${shown} (${scope.reader}).${didYouMean(key, declared)} Declare it under inputs: (declared: ${declared.length > 0 ? declared.join(', ') : 'none'})`)
  }
}

/** What a step and the run expose to templates besides inputs and env. */
const STEP_FIELDS = ['outputs', 'status', 'error']
const RUN_FIELDS = ['adwId', 'workingDir', 'costUsd']

/** `{{steps.plan.output.text}}` or `{{run.id}}` would render empty without a word: say so at load time. */
function checkField(src: SourceFile, offset: number, name: string, root: string, key: string | undefined, field: string | undefined, scope: RefScope): void {
  if (root === 'steps' && key !== undefined && field !== undefined && !STEP_FIELDS.includes(field)) {
    src.report(offset, `Unknown field "${field}" in {{${name}}} (${scope.reader}): a step has ${STEP_FIELDS.join(', ')}.${didYouMean(field, STEP_FIELDS)}`)
  } else if (root === 'run' && key !== undefined && !RUN_FIELDS.includes(key)) {
    src.report(offset, `Unknown field "${key}" in {{${name}}} (${scope.reader}): run has ${RUN_FIELDS.join(', ')}.${didYouMean(key, RUN_FIELDS)}`)
  }
}

/** `steps.greet.outputs.stdot`: the executor of "greet" declares its outputs, and stdot is not one. */
function checkOutput(src: SourceFile, offset: number, shown: string, step: string, output: string, scope: RefScope): void {
  if (!scope.visible(step)) return
  if (scope.fanOut?.has(step)) {
    if (/^\d+$/.test(output)) return
    src.report(offset, `Step "${step}" fans out (forEach): its outputs are a list with one entry per item (${shown} in ${scope.reader}). Read one item's, e.g. steps.${step}.outputs[0].${output} in a condition, or loop over the list with {{#steps.${step}.outputs}}{{${output}}}{{/steps.${step}.outputs}} in a template`)
    return
  }
  const declared = scope.outputs?.get(step)
  if (!declared || Object.hasOwn(declared, output)) return
  const names = Object.keys(declared)
  src.report(offset, `Step "${step}" has no output "${output}" (${shown} in ${scope.reader}).${didYouMean(output, names)} Its outputs: ${names.length > 0 ? names.join(', ') : '(none)'}`)
}

/** The names a forEach step binds for each item. */
export const FOR_EACH_LOCALS: ReadonlySet<string> = new Set(['item', 'index'])

/** `Unknown name "x" in <shown> (<reader>)`: item/index outside a forEach step, a near name, or what can be read. */
function unknownName(name: string, where: string, scope: RefScope, readable: string): string {
  if (FOR_EACH_LOCALS.has(name) && !scope.locals?.has(name)) {
    return `"${name}" in ${where} is only defined in a step with forEach: (the step runs once per item; item is the item, index its position). Add forEach: to the step, or read the list another way`
  }
  const names = [...SCOPE_ROOTS, ...(scope.locals ?? [])]
  return `Unknown name "${name}" in ${where}: ${readable}${scope.locals?.size ? ', and item and index in this forEach step' : ''}.${didYouMean(name, names)}`
}

type Token = [string, string, number, number, Token[]?, number?]

/** Checks the Mustache template of one `with:` string: syntax, and every name it reads. */
export function checkTemplate(src: SourceFile, node: Node | undefined, template: string, scope: RefScope): void {
  let tokens: Token[]
  try {
    tokens = Mustache.parse(template) as Token[]
  } catch (error) {
    const message = (error as Error).message
    let at = Number(/at (\d+)\s*$/.exec(message)?.[1] ?? 0)
    // Mustache reports an unclosed tag or section at its end; point at where it opens instead.
    const section = /^Unclosed section "(.*)"/.exec(message)?.[1]
    if (section !== undefined) at = Math.max(0, template.search(new RegExp(`\\{\\{\\s*[#^]\\s*${section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`)))
    else if (message.startsWith('Unclosed tag')) at = Math.max(0, template.lastIndexOf('{{', at))
    src.report(src.scalarOffset(node, at), `Invalid template in ${scope.reader}: ${message.replace(/ at \d+\s*$/, '')}`)
    return
  }
  const visit = (list: Token[], depth: number) => {
    for (const [type, name, start, end, children] of list) {
      if (type === '>') src.report(src.scalarOffset(node, start), `Template partials ({{> ${name}}}) are not supported (${scope.reader})`)
      if (type === 'name' || type === '&' || type === '#' || type === '^') {
        const nameAt = template.indexOf(name, start)
        const offset = src.scalarOffset(node, nameAt >= start && nameAt < end ? nameAt : start)
        const [root, key, field, output] = name.split('.')
        if ((SCOPE_ROOTS as readonly string[]).includes(root)) {
          if (key !== undefined) checkRef(src, offset, root, key, `{{${name}}}`, scope)
          checkField(src, offset, name, root, key, field, scope)
          if (root === 'steps' && field === 'outputs' && output !== undefined) {
            const at = template.indexOf(`outputs.${output}`, start)
            checkOutput(src, at >= 0 ? src.scalarOffset(node, at + 'outputs.'.length) : offset, `{{${name}}}`, key, output, scope)
          }
        } else if (scope.locals?.has(root)) {
          // item / index of a forEach step: any shape
        } else if (depth === 0 && name !== '.') {
          src.report(offset, unknownName(root, `{{${name}}} (${scope.reader})`, scope, 'templates read inputs.<name>, steps.<id>.outputs.<key>, run.adwId, run.workingDir, run.costUsd and env.<NAME>'))
        }
      }
      if (children) visit(children, depth + 1)
    }
  }
  visit(tokens, 0)
}

/**
 * Compiles an `if`/`until` expression and checks its references; undefined when it is invalid.
 * CEL loads with the first condition: a pipeline without one starts without it.
 */
export async function checkExpression(src: SourceFile, node: Node | undefined, expression: string, scope: RefScope, label: string): Promise<CompiledCondition | undefined> {
  const {compileCondition} = await import('./condition.js')
  return checkCel(src, node, expression, scope, label, 'bool', compileCondition)
}

/** Compiles a `forEach:` expression (any value, type-checked as a list) and checks its references. */
export async function checkListExpression(src: SourceFile, node: Node | undefined, expression: string, scope: RefScope, label: string): Promise<CompiledExpression | undefined> {
  const {compileExpression} = await import('./condition.js')
  return checkCel(src, node, expression, scope, label, 'list', (source, pos) => compileExpression(source, pos, `forEach of ${scope.reader}`))
}

async function checkCel<T extends {ast: ASTNode}>(
  src: SourceFile,
  node: Node | undefined,
  expression: string,
  scope: RefScope,
  label: string,
  expect: 'bool' | 'list',
  compile: (source: string, pos: SourcePos) => T,
): Promise<T | undefined> {
  const {expressionRefs} = await import('./condition.js')
  const offset = src.scalarOffset(node, 0)
  let compiled: T
  try {
    compiled = compile(expression, {file: src.displayName, ...src.position(offset)})
  } catch (error: any) {
    const at = error?.range?.start ?? error?.node?.pos ?? 0
    const reason = String(error?.summary ?? error?.message ?? error).split('\n')[0]
    src.report(src.scalarOffset(node, at), `Invalid expression in ${label} of ${scope.reader}: ${reason}`)
    return undefined
  }
  // `steps.fix-it.outputs` parses as a subtraction; CEL needs steps["fix-it"] for such ids.
  for (const m of expression.matchAll(/\bsteps\.([A-Za-z_][\w]*(?:-[\w-]+)+)/g)) {
    const id = [...scope.all.keys()].filter(k => m[1].startsWith(k) && k.includes('-')).sort((a, b) => b.length - a.length)[0]
    if (id) {
      src.report(src.scalarOffset(node, m.index), `In expressions, write a step id containing "-" as steps["${id}"] (${label} of ${scope.reader}): steps.${id} reads as a subtraction`)
      return undefined
    }
  }
  const {refs, unknown} = expressionRefs(compiled.ast, [...SCOPE_ROOTS, ...(scope.locals ?? [])])
  let ok = true
  const before = src.diagnostics.length
  for (const ref of refs) {
    checkRef(src, src.scalarOffset(node, ref.start), ref.root, ref.key, `${ref.root}.${ref.key}`, scope)
  }
  for (const id of unknown) {
    ok = false
    src.report(src.scalarOffset(node, id.start), unknownName(id.name, `${label} of ${scope.reader}`, scope, 'expressions read inputs, steps, run and env (e.g. steps.review.outputs.verdict == "PASS")'))
  }
  if (!ok || src.diagnostics.length !== before) return undefined
  const {typeProblem} = await import('./condition-types.js')
  // Type-check against the steps the expression names: declaring every upstream step for each
  // condition made a long pipeline's load quadratic. A bare `steps` (steps.all(...)) gets them all.
  const named = refs.filter(r => r.root === 'steps').map(r => r.key)
  const only = (expression.match(/\bsteps\b/g) ?? []).length === named.length ? new Set(named) : undefined
  const problem = typeProblem(expression, scope, expect, only)
  if (problem) {
    src.report(src.scalarOffset(node, problem.at), `${problem.message} (${label} of ${scope.reader})`)
    return undefined
  }
  return compiled
}
