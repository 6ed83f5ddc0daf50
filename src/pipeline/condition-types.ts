// Type-checks a condition at load time with cel-js's own checker (Environment#check), against what the
// pipeline declares: input types, and the outputs each earlier step's executor declares. Evaluation
// stays on the untyped environment of condition.ts; this one is only for finding mistakes early.
import {Environment} from '@marcbachmann/cel-js'
import {registerStatusFunctions, STATUS_FUNCTIONS} from './condition.js'
import type {RefScope} from './references.js'
import {closest} from './suggest.js'

const INPUT_TYPES = {string: 'string', boolean: 'bool', number: 'dyn'} as const // a whole number is an int in CEL, 2.5 a double

/**
 * What is wrong with the expression's types, at an offset in it; undefined when it checks (or
 * cannot be typed). A condition must give a bool, a forEach expression a list. `only`: the steps
 * the expression reads (all visible ones when undefined).
 */
export function typeProblem(expression: string, scope: RefScope, expect: 'bool' | 'list' = 'bool', only?: ReadonlySet<string>): {at: number; message: string} | undefined {
  const steps: Record<string, unknown> = {}
  for (const id of only ? [...only].filter(id => scope.visible(id)) : scope.visibleIds()) {
    const declared = scope.outputs?.get(id)
    const outputs = declared && Object.keys(declared).length > 0 ? Object.fromEntries(Object.entries(declared).map(([k, d]) => [k, d.type])) : declared ? 'map' : 'map'
    steps[id] = {outputs: scope.fanOut?.has(id) ? 'list' : outputs, status: 'string', error: 'string'}
  }
  const inputs = Object.fromEntries(Object.entries(scope.inputTypes ?? {}).map(([k, t]) => [k, INPUT_TYPES[t] ?? 'dyn']))
  let result
  let env: Environment
  try {
    env = registerStatusFunctions(new Environment({unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false}))
    if (Object.keys(steps).length > 0) env.registerVariable({name: 'steps', schema: steps} as any)
    if (Object.keys(inputs).length > 0) env.registerVariable({name: 'inputs', schema: inputs} as any)
    env.registerVariable({name: 'run', schema: {adwId: 'string', workingDir: 'string'}} as any)
    if (scope.locals?.has('index')) env.registerVariable('index', 'int')
    result = env.check(expression)
  } catch {
    return undefined // the checker could not type this pipeline: evaluation still reports problems at run time
  }
  if (!result.valid) {
    const error: any = result.error
    const at = error?.range?.start ?? 0
    let message = `Type error in \`${expression}\`: ${String(error?.summary ?? error?.message ?? error).split('\n')[0]}`
    const key = /^No such key: (.+)$/.exec(String(error?.summary ?? error?.message))?.[1]
    const owner = /steps(?:\.(\w+)|\["([^"]+)"\])\.outputs\.\s*$/.exec(expression.slice(0, at))
    const call = /^found no matching overload for '([A-Za-z_]\w*)\(([^)]*)\)'$/.exec(String(error?.summary ?? error?.message))
    const known = call ? new Set(env.getDefinitions().functions.map(f => f.name)) : undefined
    if (call && Object.hasOwn(STATUS_FUNCTIONS, call[1]) && call[2] !== '') {
      message = `${call[1]}() takes no arguments in \`${expression}\`: it reads the outcome of the step's upstream steps, e.g. if: ${call[1]}()`
    } else if (call && !known!.has(call[1])) {
      const near = closest(call[1], [...Object.keys(STATUS_FUNCTIONS), ...known!])
      message = `Unknown function "${call[1]}()" in \`${expression}\`.${near.length ? ` Did you mean "${near[0]}()"?` : ''} The status functions are always(), success(), failure() and cancelled()`
    } else if (key && owner) {
      const step = owner[1] ?? owner[2]
      const names = Object.keys(scope.outputs?.get(step) ?? {})
      const near = closest(key, names)
      message = `Step "${step}" has no output "${key}" in \`${expression}\`.${near.length ? ` Did you mean "${near[0]}"?` : ''} Its outputs: ${names.join(', ') || '(none)'}`
    } else if (/no such overload: (int|double|uint) [=!<>]+ string|no such overload: string [=!<>]+ (int|double|uint)/.test(message)) {
      message += ' (compare a number with a number, e.g. exitCode == 0, not "0")'
    }
    return {at, message}
  }
  if (expect === 'list') {
    if (result.type === undefined || result.type === 'dyn' || result.type.startsWith('list')) return undefined
    return {at: 0, message: `\`${expression}\` gives a ${result.type}, but forEach needs a list, e.g. \`steps.plan.outputs.json.tasks\` or \`["a", "b"]\``}
  }
  if (result.type !== 'bool' && result.type !== 'dyn') {
    return {at: 0, message: `\`${expression}\` gives a ${result.type}, but a condition must be true or false: compare it, e.g. \`${expression} == ...\``}
  }
  return undefined
}
