/**
 * Before a run starts: under a USD budget, every model a step will call must have a price (the
 * built-in table or adw.config.yaml's `prices:`), or the run is refused (exit 2). A model decided
 * only at run time (a template over an earlier step's outputs) is checked by the ledger instead,
 * which stops the step before its first call is counted as $0.
 */
import {AdwError} from '../errors.js'
import {renderOptions} from '../pipeline/template.js'
import type {ActionStep, Pipeline} from '../pipeline/types.js'
import type {Budget} from './limits.js'
import {priceOf, type PriceTable} from './prices.js'

export interface UnpricedModel {
  step: string
  model: string
}

interface PriceCheck {
  /** The run's limit (runLimit). */
  limit: Budget
  inputs: Record<string, unknown>
  /** The run's default model (`--model`, AGENT_MODEL, config). */
  model?: string
  prices: PriceTable
}

/** The steps under a USD limit (the run's, their loop's or their own), with their loop. */
function usdSteps(pipeline: Pipeline, limit: Budget): ActionStep[] {
  const own = (id: string) => pipeline.budget?.steps[id]?.usd !== undefined
  const all = limit.usd !== undefined
  return pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps.filter(b => all || own(s.id) || own(b.id)) : all || own(s.id) ? [s] : []))
}

/** The models of steps under a USD limit that have no price; templates over inputs are rendered first. */
export function unpricedModels(pipeline: Pipeline, c: PriceCheck): UnpricedModel[] {
  const out: UnpricedModel[] = []
  for (const step of usdSteps(pipeline, c.limit)) {
    if (!step.executor.models) continue
    // Outputs of earlier steps are unknown before the run: such a model is checked when it is called.
    if (JSON.stringify(step.with.model ?? '').includes('steps.')) continue
    let options: Record<string, unknown>
    try {
      options = renderOptions(step.with, {inputs: c.inputs, steps: {}, run: {}, env: {}}, step.executor.shellOptions ?? [])
    } catch {
      continue
    }
    for (const model of step.executor.models(options, c.model)) if (!priceOf(model, c.prices)) out.push({step: step.id, model})
  }
  return out
}

/** PRICE_UNKNOWN (exit 2) when a step under a USD budget would call a model with no known price. */
export function checkPrices(pipeline: Pipeline, c: PriceCheck): void {
  const missing = unpricedModels(pipeline, c)
  if (missing.length === 0) return
  const models = [...new Set(missing.map(m => m.model))]
  const list = missing.map(m => `step ${m.step} uses ${m.model}`).join('; ')
  throw new AdwError('PRICE_UNKNOWN', `A USD budget is in force, but adw knows no price for ${models.map(m => `"${m}"`).join(', ')} (${list}), so its spend could not be counted; adw never counts an unknown model as $0.`, {
    suggestions: [
      `give the price in adw.config.yaml, USD per million tokens: prices: {${models[0]}: {input: 3, output: 15}}`,
      'or choose a model from the built-in table (claude-sonnet-5-5, claude-opus-5, claude-haiku-5-5, ...)',
    ],
  })
}
