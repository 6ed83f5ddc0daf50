/**
 * A run's pipeline as a graph: its steps and their `needs:` edges, derived from the pipeline text
 * stored with the run by the loader's own needs resolution (src/pipeline/needs.ts: `needs:` as
 * written, else the step before; unknown ids and cycles left out), without loading any executor or
 * local module (the dashboard never runs a pipeline's code). The statuses come from the step rows.
 */
import {LineCounter, parseDocument} from 'yaml'

import {PipelineNeeds} from '../pipeline/needs.js'
import {SourceFile} from '../pipeline/source.js'

export interface GraphNodeView {
  id: string
  name: string | null
  kind: 'action' | 'loop'
  /** The executor (`uses:`) of an action step. */
  uses: string | null
  /** Resolved upstream step ids (the step before when `needs:` is not written). */
  needs: string[]
  /** Whether `needs:` was written. */
  explicit: boolean
  /** A fan-out step (`forEach:`): one step row per item. */
  forEach: boolean
  /** A step with `retry:`. */
  retry: boolean
  /** A loop's body steps, with their own needs. */
  body: GraphNodeView[]
}

export interface RunGraph {
  nodes: GraphNodeView[]
  /** [from, to]: `to` needs `from` (top-level steps; a loop is one node). */
  edges: Array<[string, string]>
  /** A topological order of the top-level ids. */
  order: string[]
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The graph of a stored pipeline text, or undefined when it does not parse as a list of steps. */
export function runGraph(snapshot: string, file: string): RunGraph | undefined {
  const lineCounter = new LineCounter()
  const doc = parseDocument(snapshot, {lineCounter, uniqueKeys: false, prettyErrors: false})
  if (doc.errors.length > 0) return undefined
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 1000})
  } catch {
    return undefined
  }
  if (!isObject(data) || !Array.isArray(data.steps)) return undefined
  const steps = data.steps as unknown[]
  const needs = new PipelineNeeds(new SourceFile(file, snapshot, lineCounter, doc), steps, new Map())
  const view = (s: Record<string, any>): GraphNodeView => {
    const loop = 'loop' in s && Array.isArray(s.steps)
    const {needs: resolved, explicit} = needs.of(s.id)
    return {
      id: s.id,
      name: typeof s.name === 'string' ? s.name : null,
      kind: loop ? 'loop' : 'action',
      uses: typeof s.uses === 'string' ? s.uses : null,
      needs: resolved,
      explicit,
      forEach: s.forEach !== undefined,
      retry: s.retry !== undefined,
      body: loop ? (s.steps as unknown[]).filter(isStep).map(view) : [],
    }
  }
  const seen = new Set<string>()
  const nodes = steps.filter(isStep).filter(s => !seen.has(s.id) && seen.add(s.id)).map(view)
  return {nodes, edges: needs.top.graph.edges.map(([a, b]) => [a, b]), order: [...needs.top.graph.order]}
}

const isStep = (s: unknown): s is Record<string, any> => isObject(s) && typeof s.id === 'string'
