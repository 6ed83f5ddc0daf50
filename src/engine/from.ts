import {AdwError} from '../errors.js'
import {closest} from '../pipeline/suggest.js'
import type {Pipeline, Step} from '../pipeline/types.js'

/**
 * `--resume --from <step>`: the ids that run again whatever their keys say: the step and every
 * step downstream of it. A loop body step forces the rest of its body from it (every iteration)
 * and everything after the loop; naming a loop forces its whole body. Unknown id: USAGE (exit 2)
 * with the closest ids.
 */
export function forcedFrom(pipeline: Pipeline, from: string): Set<string> {
  const ids = pipeline.steps.flatMap(s => (s.kind === 'loop' ? [s.id, ...s.steps.map(b => b.id)] : [s.id]))
  if (!ids.includes(from)) {
    const near = closest(from, ids)
    throw new AdwError('USAGE', `--from ${from}: the pipeline ${pipeline.name} has no step "${from}"${near.length ? `; did you mean ${near.map(n => `"${n}"`).join(' or ')}?` : ''}`, {
      suggestions: [`its steps: ${ids.join(', ')}`],
    })
  }
  const forced = new Set<string>()
  const add = (step: Step) => {
    forced.add(step.id)
    if (step.kind === 'loop') for (const b of step.steps) forced.add(b.id)
  }
  const owner = pipeline.steps.find(s => s.id === from || (s.kind === 'loop' && s.steps.some(b => b.id === from)))!
  if (owner.kind === 'loop' && owner.id !== from) {
    // The loop itself re-runs (its until is decided again), its body from the named step on.
    forced.add(owner.id)
    forced.add(from)
    for (const id of owner.graph.downstream(from)) forced.add(id)
  } else add(owner)
  const byId = new Map(pipeline.steps.map(s => [s.id, s]))
  for (const id of pipeline.graph.downstream(owner.id)) add(byId.get(id)!)
  return forced
}

