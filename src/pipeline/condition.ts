import {Environment, type ASTNode} from '@marcbachmann/cel-js'
import type {Condition, Expression, JobStatus, SourcePos, StatusCheck} from './types.js'

let env: Environment | undefined

/** The status functions, as in GitHub Actions; each reads the `job.status` of the evaluation in progress. */
export const STATUS_FUNCTIONS: Record<StatusCheck, (status: JobStatus) => boolean> = {
  always: () => true,
  success: status => status === 'success',
  failure: status => status === 'failure',
  cancelled: status => status === 'cancelled',
}

// cel-js hands a custom function its arguments only, not the evaluation's variables; evaluation is
// synchronous (no async function is registered), so the status of the evaluation in progress can
// sit here for its duration.
let currentStatus: JobStatus = 'success'

/** Adds the status functions to a CEL environment (the evaluating one here, the type checker's in condition-types.ts). */
export function registerStatusFunctions(target: Environment): Environment {
  for (const [name, test] of Object.entries(STATUS_FUNCTIONS)) target.registerFunction(`${name}(): bool`, () => test(currentStatus))
  return target
}

function environment(): Environment {
  // Built on first use: a pipeline without conditions never pays for CEL's standard library.
  env ??= registerStatusFunctions(new Environment({unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false}))
  return env
}

const statusOf = (scope: Record<string, unknown>): JobStatus => {
  const status = (scope.job as {status?: unknown} | undefined)?.status
  return status === 'failure' || status === 'cancelled' ? status : 'success'
}

/** Runs a compiled program with `scope`'s job status visible to the status functions. */
function run(program: (vars: Record<string, unknown>) => unknown, scope: Record<string, unknown>): unknown {
  const before = currentStatus
  currentStatus = statusOf(scope)
  try {
    return program(toCel(scope) as Record<string, unknown>)
  } finally {
    currentStatus = before
  }
}

/** A condition plus its AST, for the loader's reference checks. */
export interface CompiledCondition extends Condition {
  ast: ASTNode
}

/**
 * Converts JS data into values CEL compares naturally: whole numbers become ints (so
 * `exitCode == 0` and `count + 1` work), other numbers stay doubles, undefined keys disappear
 * (so `has()` sees them as absent), dates become ISO strings, functions are dropped.
 */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return value
  if (Array.isArray(value)) return value.map(v => toCel(v) ?? null)
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value)
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) {
    const converted = toCel(v)
    if (converted !== undefined) out[String(k)] = converted
  }
  return out
}

const where = (pos: SourcePos) => `${pos.file}:${pos.line}:${pos.col}`

function describeFailure(source: string, pos: SourcePos, error: any, what = 'Condition'): string {
  const reason = String(error?.summary ?? error?.message ?? error).split('\n')[0]
  let text = `${what} \`${source}\` (${where(pos)}) could not be evaluated: ${reason}`
  if (error?.code === 'no_such_key' || error?.code === 'unknown_variable') {
    const node = error.node
    const expr = node && typeof node.start === 'number' ? source.slice(node.start, node.end) : undefined
    const key = reason.replace(/^(No such key|Unknown variable): /, '')
    text += expr && expr !== key ? ` (in ${expr})` : ''
    const guard = expr && expr.includes('.') ? expr : 'steps.<id>.outputs.<key>'
    text += `. A step that was skipped or has not run has no outputs; test keys that may be missing with has(), e.g. \`has(${guard}) && ${source}\``
  }
  return text
}

/**
 * Compiles a CEL expression; throws cel-js's ParseError on a syntax error.
 * `evaluate` converts the scope with `toCel` and insists on a boolean.
 */
export function compileCondition(source: string, pos: SourcePos): CompiledCondition {
  const program = environment().parse(source)
  const statusCheck = statusCheckOf(program.ast)
  return {
    source,
    pos,
    ast: program.ast,
    ...(statusCheck ? {statusCheck} : {}),
    evaluate(scope) {
      let result: unknown
      try {
        result = run(program, scope)
      } catch (error) {
        throw new Error(describeFailure(source, pos, error), {cause: error})
      }
      if (typeof result !== 'boolean') {
        const shown = typeof result === 'bigint' ? String(result) : JSON.stringify(toJson(result))
        throw new Error(`Condition \`${source}\` (${where(pos)}) must be true or false, but it gave ${typeof result === 'string' ? 'a string' : 'the value'} ${shown}${typeof result === 'string' ? `. Compare it, e.g. \`${source} == "PASS"\`` : ''}`)
      }
      return result
    },
  }
}

/** An expression and its AST, for the loader's reference checks. */
export interface CompiledExpression extends Expression {
  ast: ASTNode
}

/**
 * Compiles a CEL expression that gives any value (a forEach list); throws cel-js's ParseError on a
 * syntax error. `evaluate` returns plain JS values: ints become numbers again.
 */
export function compileExpression(source: string, pos: SourcePos, what = 'Expression'): CompiledExpression {
  const program = environment().parse(source)
  return {
    source,
    pos,
    ast: program.ast,
    evaluate(scope) {
      try {
        return fromCel(run(program, scope))
      } catch (error) {
        throw new Error(describeFailure(source, pos, error, what), {cause: error})
      }
    },
  }
}

/** The status function an expression calls (always() first, as it decides alone), if any. */
export function statusCheckOf(ast: ASTNode): StatusCheck | undefined {
  const found = new Set<StatusCheck>()
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit)
    if (typeof x !== 'object' || x === null || !('op' in x)) return
    const node = x as ASTNode
    const args: any = node.args
    if (node.op === 'call' && Object.hasOwn(STATUS_FUNCTIONS, args[0]) && Array.isArray(args[1]) && args[1].length === 0) found.add(args[0])
    visit(args)
  }
  visit(ast)
  if (found.has('always')) return 'always'
  return (['failure', 'cancelled', 'success'] as const).find(s => found.has(s))
}

/** CEL values back to plain JS: bigints become numbers (strings past 2^53), maps become objects. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value)
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value
  if (Array.isArray(value)) return value.map(fromCel)
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value)
  return Object.fromEntries(entries.map(([k, v]) => [String(k), fromCel(v)]))
}

const toJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null')

/** A `steps.X` / `inputs.X` (or `steps["X"]`) reference, with its range in the expression. */
export interface ExpressionRef {
  root: string
  key: string
  start: number
  end: number
}

/** Identifiers CEL's macros bind (`list.exists(x, ...)`) and the `cel.bind` namespace. */
const MACROS = new Set(['all', 'exists', 'exists_one', 'existsOne', 'map', 'filter', 'transformList', 'transformMap', 'sortBy', 'bind'])

/** The references to scope `roots` (inputs, steps, …) in an expression, and identifiers that are none of them. */
export function expressionRefs(ast: ASTNode, roots: readonly string[]): {refs: ExpressionRef[]; unknown: {name: string; start: number; end: number}[]} {
  const refs: ExpressionRef[] = []
  const ids: {name: string; start: number; end: number}[] = []
  const bound = new Set<string>(['cel'])
  const isNode = (x: unknown): x is ASTNode => typeof x === 'object' && x !== null && 'op' in x && 'args' in x
  const visit = (node: ASTNode) => {
    const args: any = node.args
    if (node.op === 'id') ids.push({name: args, start: node.start, end: node.end})
    if ((node.op === '.' || node.op === '.?') && isNode(args[0]) && args[0].op === 'id' && roots.includes(args[0].args as string)) {
      refs.push({root: args[0].args as string, key: args[1], start: node.end - String(args[1]).length, end: node.end})
    }
    if ((node.op === '[]' || node.op === '[?]') && isNode(args[0]) && args[0].op === 'id' && isNode(args[1]) && args[1].op === 'value' && typeof args[1].args === 'string') {
      refs.push({root: args[0].args as string, key: args[1].args, start: args[1].start, end: args[1].end})
    }
    if (node.op === 'rcall' && MACROS.has(args[0]) && Array.isArray(args[2])) {
      for (const a of args[2]) if (isNode(a) && a.op === 'id') bound.add(a.args as string)
    }
    const walk = (x: unknown): void => {
      if (isNode(x)) visit(x)
      else if (Array.isArray(x)) x.forEach(walk)
    }
    walk(args)
  }
  visit(ast)
  const unknown = ids.filter(i => !roots.includes(i.name) && !bound.has(i.name))
  return {refs, unknown}
}
