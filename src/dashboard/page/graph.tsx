import {useEffect, useState} from 'preact/hooks'

import {api, type GraphNodeView, type RunGraph, type StepView} from './api.js'
import {duration, elapsed, money} from './format.js'

const W = 190
const H = 64
const GAP_X = 56
const GAP_Y = 18

/** What a node shows, from the step rows of its step (fan-out items, retries) or its loop's body. */
interface NodeState {
  status: string
  rows: StepView[]
  ms: number
  cost: number
  why?: string
}

function nodeState(node: GraphNodeView, steps: StepView[]): NodeState {
  const rows = node.kind === 'loop' ? steps.filter(s => s.parentId === node.id) : steps.filter(s => s.parentId === null && s.stepId === node.id)
  if (rows.length === 0) return {status: 'pending', rows, ms: 0, cost: 0}
  const last = rows.at(-1)!
  const status = rows.some(r => r.status === 'running') ? 'running' : rows.some(r => r.status === 'waiting') ? 'waiting' : last.status
  const start = Math.min(...rows.map(r => Date.parse(r.startedAt)))
  const end = Math.max(...rows.map(r => Date.parse(r.startedAt) + (elapsed(r.startedAt, r.durationMs, r.status === 'running') ?? 0)))
  const why = last.reason ?? (rows.every(r => r.reused) ? 'reused: completed before the resume' : (last.error ?? undefined))
  return {status, rows, ms: end - start, cost: rows.reduce((n, r) => n + r.costUsd, 0), why}
}

/** Columns by longest path from the roots: a step sits right of everything it needs. */
function layout(graph: RunGraph): Map<string, {x: number; y: number}> {
  const depth = new Map<string, number>()
  const byId = new Map(graph.nodes.map(n => [n.id, n]))
  for (const id of graph.order) depth.set(id, Math.max(0, ...(byId.get(id)?.needs ?? []).map(n => (depth.get(n) ?? -1) + 1)))
  const rows = new Map<number, number>()
  const at = new Map<string, {x: number; y: number}>()
  for (const n of graph.nodes) {
    const d = depth.get(n.id) ?? 0
    const r = rows.get(d) ?? 0
    rows.set(d, r + 1)
    at.set(n.id, {x: d * (W + GAP_X), y: r * (H + GAP_Y)})
  }
  return at
}

/**
 * The run's steps as a graph (SVG): a box per step with its status, duration and cost, an arrow per
 * `needs:`; it follows the step rows the page already gets live.
 */
export function GraphView({adwId, steps, selected, onSelect}: {adwId: string; steps: StepView[]; selected?: number; onSelect: (id: number) => void}) {
  const [graph, setGraph] = useState<RunGraph | null>()
  const [error, setError] = useState<string>()
  useEffect(() => void api.graph(adwId).then(g => setGraph(g.graph), e => setError(String(e.message))), [adwId])
  if (error) return <p class="error">{error}</p>
  if (graph === undefined) return <p class="dim">Loading…</p>
  if (graph === null || graph.nodes.length === 0) return <p class="empty">The pipeline stored with this run has no steps to draw.</p>
  const at = layout(graph)
  const width = Math.max(...[...at.values()].map(p => p.x)) + W + 2
  const height = Math.max(...[...at.values()].map(p => p.y)) + H + 2
  const states = new Map(graph.nodes.map(n => [n.id, nodeState(n, steps)]))
  return (
    <div class="graph">
      <svg width={width} height={height} viewBox={`-1 -1 ${width} ${height}`} role="img" aria-label="the pipeline's steps and their needs">
        <defs>
          <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L8,4 L0,8 z" fill="#9aa3b2" />
          </marker>
        </defs>
        {graph.edges.map(([from, to]) => {
          const a = at.get(from)
          const b = at.get(to)
          if (!a || !b) return null
          const [x1, y1, x2, y2] = [a.x + W, a.y + H / 2, b.x, b.y + H / 2]
          const mid = (x1 + x2) / 2
          return <path class={`edge e-${states.get(from)?.status}`} data-edge={`${from}->${to}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 2},${y2}`} marker-end="url(#arrow)" />
        })}
        {graph.nodes.map(n => {
          const p = at.get(n.id)!
          const st = states.get(n.id)!
          const last = st.rows.at(-1)
          const count = n.kind === 'loop' ? `${new Set(st.rows.map(r => r.iteration)).size} attempt(s)` : st.rows.length > 1 ? `×${st.rows.length}${n.forEach ? ' items' : n.retry ? ' attempts' : ''}` : ''
          const facts = [st.rows.length ? duration(st.ms) : '', st.cost ? money(st.cost) : '', count].filter(Boolean).join(' · ')
          return (
            <g class={`node n-${st.status}${last && last.id === selected ? ' selected' : ''}`} data-step={n.id} data-status={st.status} transform={`translate(${p.x},${p.y})`} onClick={() => last && onSelect(last.id)}>
              <title>{[`${n.id}${n.kind === 'loop' ? ' (loop)' : n.uses ? ` (${n.uses})` : ''}`, n.needs.length ? `needs: ${n.needs.join(', ')}${n.explicit ? '' : ' (the step before)'}` : 'needs nothing', st.why].filter(Boolean).join('\n')}</title>
              <rect width={W} height={H} rx="7" />
              <text x="10" y="20" class="n-id">{n.id.length > 22 ? `${n.id.slice(0, 21)}…` : n.id}</text>
              <text x="10" y="38" class={`n-status s-${st.status}`}>{n.kind === 'loop' ? `loop · ${st.status}` : n.forEach ? `fan-out · ${st.status}` : st.status}</text>
              <text x="10" y="55" class="n-facts">{st.why && st.status === 'skipped' ? clip(st.why) : st.why?.startsWith('reused') ? `reused · ${facts}` : facts}</text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}

const clip = (s: string) => (s.length > 27 ? `${s.slice(0, 26)}…` : s)
