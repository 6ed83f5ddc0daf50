// The `needs:` of every step list of a pipeline (the top level and each loop body): resolved (the
// step before when none is written), checked (unknown ids, needs across lists, cycles), turned into
// graphs, and asked which steps a template or condition at some place may read.
import {buildGraph, type GraphBuild} from './graph.js'
import type {RefScope} from './references.js'
import type {PathSegment, SourceFile} from './source.js'
import {closest} from './suggest.js'

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Where a template or condition is: which top-level node it belongs to, and inside which loop. */
export interface Place {
  /** The top-level step, or the loop whose body, `if` or `until` it is in. */
  top: string
  /** The loop it is inside (its body, `if` or `until`). */
  loop?: string
  /** The body step it belongs to. */
  body?: string
  /** The loop's `until`: every step of the body has run. */
  until?: boolean
  /** Its line, to tell "runs later" from "is not upstream". */
  line: number
}

interface Resolved {
  needs: string[]
  explicit: boolean
}

/** Every step list's needs and graph, for one pipeline file. */
export class PipelineNeeds {
  readonly top: GraphBuild
  readonly bodies = new Map<string, GraphBuild>()
  private readonly resolved = new Map<string, Resolved>()
  /** Body step id → its loop. */
  private readonly owner = new Map<string, string>()
  /** Every id, in file order, a loop's body before the loop (as the steps finish in a sequential run). */
  private readonly fileOrder: string[] = []
  /** Steps whose id an earlier step has (reported as duplicates): left out of the graphs. */
  private readonly duplicates = new Set<object>()

  constructor(
    private readonly src: SourceFile,
    steps: unknown[],
    /** Every step id with the line it is declared on. */
    private readonly lines: Map<string, number>,
  ) {
    const seen = new Set<string>()
    const first = (step: Record<string, any>) => {
      if (!seen.has(step.id)) return seen.add(step.id)
      this.duplicates.add(step)
      return false
    }
    for (const step of steps) {
      if (!isObject(step) || typeof step.id !== 'string') continue
      const unique = first(step)
      if ('loop' in step && Array.isArray(step.steps)) {
        for (const inner of step.steps) {
          if (!isObject(inner) || typeof inner.id !== 'string' || !first(inner)) continue
          this.owner.set(inner.id, step.id)
          this.fileOrder.push(inner.id)
        }
      }
      if (unique) this.fileOrder.push(step.id)
    }
    this.top = this.list(steps, ['steps'])
    steps.forEach((step, i) => {
      if (isObject(step) && typeof step.id === 'string' && !this.duplicates.has(step) && 'loop' in step && Array.isArray(step.steps)) {
        this.bodies.set(step.id, this.list(step.steps, ['steps', i, 'steps'], step.id))
      }
    })
  }

  /** The resolved needs of a step (empty for an id it does not know). */
  of(id: string): Resolved {
    return this.resolved.get(id) ?? {needs: [], explicit: false}
  }

  /** What a template or condition at `place` may read, for RefScope. */
  scope(place: Place): Pick<RefScope, 'visible' | 'visibleIds' | 'notUpstream'> {
    return {
      visible: id => this.visible(id, place),
      visibleIds: () => this.visibleIds(place),
      notUpstream: id => this.whyNot(id, place),
    }
  }

  /** One walk of the graph, not one reachability query per step: conditions ask this for their type check. */
  private visibleIds(place: Place): string[] {
    const seen = new Set<string>()
    for (const id of this.top.upstreamNow(place.top)) {
      seen.add(id)
      for (const inner of this.bodyIds(id)) seen.add(inner)
    }
    if (place.loop !== undefined && place.until) for (const inner of this.bodyIds(place.loop)) seen.add(inner)
    else if (place.loop !== undefined && place.body !== undefined) for (const id of this.bodies.get(place.loop)!.upstreamNow(place.body)) seen.add(id)
    return this.fileOrder.filter(id => seen.has(id))
  }

  private bodyIds(loop: string): string[] {
    return this.bodies.get(loop)?.graph.order ?? []
  }

  private visible(id: string, place: Place): boolean {
    const owner = this.owner.get(id)
    if (place.loop !== undefined && owner === place.loop) {
      if (place.until) return true
      return place.body !== undefined && this.bodies.get(place.loop)!.reaches(id, place.body)
    }
    return this.top.reaches(owner ?? id, place.top)
  }

  /** Undefined when the step simply runs later in the file (the message of a sequential pipeline). */
  private whyNot(id: string, place: Place): string | undefined {
    const line = this.lines.get(id)
    if (line === undefined || line > place.line || id === place.loop) return undefined
    const owner = this.owner.get(id)
    const sameLoop = place.loop !== undefined && owner === place.loop
    const needer = sameLoop ? place.body! : place.top
    const need = sameLoop ? id : (owner ?? id)
    const current = this.of(needer).needs
    const via = need === id ? '' : ` (the loop "${need}" it is in)`
    const upstream = this.visibleIds(place)
    const whose = !sameLoop && place.loop !== undefined ? `loop "${needer}"` : `step "${needer}"`
    const shown = upstream.length > 20 ? `${upstream.slice(-20).join(', ')}, and ${upstream.length - 20} more` : upstream.join(', ')
    return (
      `is not upstream of it: a step reads only the steps it needs, directly or through the steps they need` +
      `${upstream.length > 0 ? ` (upstream here: ${shown})` : ' (nothing is upstream here)'}.` +
      ` Add "${need}"${via} to the needs of ${whose}: needs: [${[...current, need].join(', ')}]`
    )
  }

  private list(steps: unknown[], path: PathSegment[], loop?: string): GraphBuild {
    const nodes: {id: string; needs: string[]}[] = []
    const at = new Map<string, number>() // id → index in `steps`, for positions
    let previous: string | undefined
    steps.forEach((step, i) => {
      if (!isObject(step) || typeof step.id !== 'string' || this.duplicates.has(step)) return
      const explicit = Array.isArray(step.needs)
      const needs = explicit ? (step.needs as unknown[]).filter((n): n is string => typeof n === 'string') : previous === undefined ? [] : [previous]
      this.resolved.set(step.id, {needs, explicit})
      nodes.push({id: step.id, needs})
      at.set(step.id, i)
      previous = step.id
    })
    const build = buildGraph(nodes)
    const needNode = (step: string, need: string) => {
      const i = at.get(step)!
      const k = (steps[i] as any).needs?.indexOf?.(need) ?? -1
      return k >= 0 ? this.src.nodeAt([...path, i, 'needs', k]) : this.src.keyAt([...path, i], 'id')
    }
    const ids = nodes.map(n => n.id)
    for (const {step, need} of build.unknown) this.src.reportAt(needNode(step, need), this.unknownNeed(step, need, ids, loop))
    for (const cycle of build.cycles) {
      // Point at a written need along the cycle, the one that closes it when it is written.
      const pairs = cycle.slice(0, -1).map((s, k) => [s, cycle[k + 1]] as const)
      const [from, to] = [...pairs].reverse().find(([s]) => this.of(s).explicit) ?? pairs.at(-1)!
      const message =
        from === to
          ? `Step "${from}" needs itself: remove "${from}" from its needs`
          : `Cycle in needs: ${cycle.join(' → ')} (${pairs.map(([s, n]) => `${s} needs ${n}${this.of(s).explicit ? '' : ', the step before it'}`).join('; ')}). Steps cannot wait for each other: remove one of these needs`
      this.src.reportAt(needNode(from, to), message)
    }
    return build
  }

  private unknownNeed(step: string, need: string, here: string[], loop: string | undefined): string {
    const owner = this.owner.get(need)
    if (loop === undefined && owner !== undefined) {
      return `Step "${step}" needs "${need}", which is inside loop "${owner}": needs names steps of the same list. Need the loop instead: needs: [${owner}]`
    }
    if (loop !== undefined && this.lines.has(need)) {
      const outside = owner === undefined ? 'is not in it' : `is in loop "${owner}"`
      return `Step "${step}" is in loop "${loop}" and needs "${need}", which ${outside}: a loop's steps need steps of the same loop. Put ${owner === undefined ? `"${need}"` : `"${owner}"`} in the needs of loop "${loop}" instead`
    }
    here = here.filter(id => id !== step)
    const near = closest(need, here)
    const shown = here.length > 20 ? `${here.slice(0, 20).join(', ')}, …` : here.join(', ')
    return `Unknown step "${need}" in needs of step "${step}".${near.length > 0 ? ` Did you mean "${near[0]}"?` : ''} Steps ${loop === undefined ? 'of the pipeline' : `of loop "${loop}"`}: ${shown}`
  }
}
