// Which step waits for which, within one step list (the pipeline's top level, or one loop body).
// The loader resolves each step's `needs:` (or the implicit "the step before"), reports unknown
// ids and cycles with buildGraph's findings, then keeps the graph on the Pipeline for the engine.
import type {PipelineGraph} from './types.js'

/** One step of a step list, in file order, with its resolved needs. */
export interface GraphNode {
  id: string
  needs: string[]
}

/** A need that names no step of the list. */
export interface UnknownNeed {
  /** The step whose `needs:` names it. */
  step: string
  need: string
  /** Position of the need in the step's `needs:` list. */
  index: number
}

/** The graph, and what is wrong with the needs it was built from. */
export interface GraphBuild {
  graph: PipelineGraph
  unknown: UnknownNeed[]
  /** Each cycle as the ids along it, first id repeated at the end: ["a", "b", "a"] (a needs b, b needs a). */
  cycles: string[][]
  /** Whether `from` is upstream of `to` (for the loader's reference checks; see Reach). */
  reaches(from: string, to: string): boolean
  /** Every step upstream of `id`, computed now and not kept (graph.upstream caches its answers). */
  upstreamNow(id: string): Set<string>
}

/** Builds the graph of one step list. Unknown needs are left out of it; a cycle's steps come last in `order`. */
export function buildGraph(nodes: GraphNode[]): GraphBuild {
  const index = new Map(nodes.map((n, i) => [n.id, i]))
  const unknown: UnknownNeed[] = []
  // needsOf[i]: indexes of the nodes node i waits for (unknown ids dropped, duplicates kept once).
  const needsOf: number[][] = nodes.map(n => {
    const out: number[] = []
    n.needs.forEach((need, k) => {
      const j = index.get(need)
      if (j === undefined) unknown.push({step: n.id, need, index: k})
      else if (!out.includes(j)) out.push(j)
    })
    return out
  })
  const {order, cycles} = topoOrder(needsOf, nodes.length)
  const edges: Array<[string, string]> = []
  needsOf.forEach((needs, i) => needs.forEach(j => edges.push([nodes[j].id, nodes[i].id])))
  const graph = new Graph(nodes.map(n => n.id), needsOf, order, edges)
  const reach = new Reach(graph, index, needsOf, order, cycles.length === 0)
  const upstreamNow = (id: string): Set<string> => {
    const start = index.get(id)
    const seen = new Set<number>()
    const todo = start === undefined ? [] : [...needsOf[start]]
    while (todo.length > 0) {
      const i = todo.pop()!
      if (seen.has(i) || i === start) continue
      seen.add(i)
      todo.push(...needsOf[i])
    }
    return new Set([...seen].map(i => nodes[i].id))
  }
  return {graph, unknown, cycles: cycles.map(c => c.map(i => nodes[i].id)), reaches: (from, to) => reach.reaches(from, to), upstreamNow}
}

/**
 * Reachability queries, one per `steps.x` reference at load: a 10,000-step chain where every step
 * reads the first must not cost a walk of the whole chain per reference, nor a cached upstream set
 * per step (quadratic memory). A direct need answers at once; in an acyclic graph nothing after
 * `to` in the topological order can be upstream of it, which bounds each walk; a step read often
 * gets its downstream set cached.
 */
class Reach {
  private readonly position: Int32Array
  private readonly asked = new Map<number, number>()

  constructor(
    private readonly graph: Graph,
    private readonly index: Map<string, number>,
    private readonly needsOf: number[][],
    order: number[],
    private readonly acyclic: boolean,
  ) {
    this.position = new Int32Array(needsOf.length)
    order.forEach((node, pos) => (this.position[node] = pos))
  }

  reaches(from: string, to: string): boolean {
    const f = this.index.get(from)
    const t = this.index.get(to)
    if (f === undefined || t === undefined || f === t) return false
    if (this.acyclic && this.position[f] > this.position[t]) return false
    if (this.needsOf[t].includes(f)) return true
    const times = (this.asked.get(f) ?? 0) + 1
    this.asked.set(f, times)
    if (times > 3) return this.graph.downstream(from).has(to)
    const seen = new Set<number>()
    const todo = [t]
    while (todo.length > 0) {
      for (const j of this.needsOf[todo.pop()!]) {
        if (j === f) return true
        if (seen.has(j) || (this.acyclic && this.position[j] < this.position[f])) continue
        seen.add(j)
        todo.push(j)
      }
    }
    return false
  }
}

/**
 * Depth-first, in file order, each node after what it needs: a topological order that keeps file
 * order wherever the needs allow it (a pipeline without `needs:` keeps its order exactly).
 * Iterative, so a 10,000-step chain does not overflow the stack.
 */
function topoOrder(needsOf: number[][], n: number): {order: number[]; cycles: number[][]} {
  const state = new Uint8Array(n) // 0 new, 1 on the stack, 2 done
  const order: number[] = []
  const cycles: number[][] = []
  const inCycle = new Set<number>()
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue
    const stack: Array<[node: number, next: number]> = [[root, 0]]
    state[root] = 1
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const [node, next] = top
      if (next < needsOf[node].length) {
        top[1]++
        const dep = needsOf[node][next]
        if (state[dep] === 0) {
          state[dep] = 1
          stack.push([dep, 0])
        } else if (state[dep] === 1) {
          const from = stack.findIndex(([s]) => s === dep)
          const cycle = stack.slice(from).map(([s]) => s)
          if (!cycle.every(s => inCycle.has(s))) {
            cycle.forEach(s => inCycle.add(s))
            cycles.push([...cycle, dep])
          }
        }
        continue
      }
      stack.pop()
      state[node] = 2
      order.push(node)
    }
  }
  return {order, cycles}
}

class Graph implements PipelineGraph {
  readonly order: string[]
  private readonly index: Map<string, number>
  private readonly dependents: number[][]
  private readonly up = new Map<number, ReadonlySet<string>>()
  private readonly down = new Map<number, ReadonlySet<string>>()

  constructor(
    private readonly ids: string[],
    private readonly needsOf: number[][],
    order: number[],
    readonly edges: Array<[string, string]>,
  ) {
    this.order = order.map(i => ids[i])
    this.index = new Map(ids.map((id, i) => [id, i]))
    this.dependents = ids.map(() => [])
    needsOf.forEach((needs, i) => needs.forEach(j => this.dependents[j].push(i)))
  }

  /** Transitive; computed on first call per id (linear in the answer's size), then cached. */
  upstream(id: string): ReadonlySet<string> {
    return this.reach(id, this.needsOf, this.up)
  }

  /** Transitive; computed on first call per id (linear in the answer's size), then cached. */
  downstream(id: string): ReadonlySet<string> {
    return this.reach(id, this.dependents, this.down)
  }

  private reach(id: string, next: number[][], cache: Map<number, ReadonlySet<string>>): ReadonlySet<string> {
    const start = this.index.get(id)
    if (start === undefined) return EMPTY
    const cached = cache.get(start)
    if (cached) return cached
    const seen = new Set<number>()
    const todo = [...next[start]]
    while (todo.length > 0) {
      const i = todo.pop()!
      if (seen.has(i) || i === start) continue
      seen.add(i)
      for (const j of next[i]) if (!seen.has(j)) todo.push(j)
    }
    const out = new Set([...seen].sort((a, b) => a - b).map(i => this.ids[i]))
    cache.set(start, out)
    return out
  }
}

const EMPTY: ReadonlySet<string> = new Set()
