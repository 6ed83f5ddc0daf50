import type {Budget, PipelineBudgets} from './limits.js'

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

const budgetOf = (raw: unknown): Budget | undefined => {
  if (!isObject(raw)) return undefined
  const b: Budget = {}
  for (const k of ['usd', 'tokens', 'minutes'] as const) if (typeof raw[k] === 'number') b[k] = raw[k]
  return Object.keys(b).length ? b : undefined
}

/** The `budget:` blocks of a pipeline's parsed data (already checked by the JSON Schema): its own and each step's, loop bodies included. */
export function pipelineBudgets(data: Record<string, unknown>): PipelineBudgets | undefined {
  const steps: Record<string, Budget> = {}
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return
    for (const step of list) {
      if (!isObject(step)) continue
      const b = budgetOf(step.budget)
      if (b && typeof step.id === 'string') steps[step.id] = b
      walk(step.steps)
    }
  }
  walk(data.steps)
  const run = budgetOf(data.budget)
  if (!run && Object.keys(steps).length === 0) return undefined
  return {...(run ? {run} : {}), steps}
}
