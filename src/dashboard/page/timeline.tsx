import type {RunView, StepView} from './api.js'
import {duration, elapsed, money} from './format.js'

type Item = {kind: 'step'; step: StepView} | {kind: 'loop'; id: string; iterations: Map<number, StepView[]>}

/** Top-level steps in order; the steps of a loop gathered under it, by iteration. */
function items(steps: StepView[]): Item[] {
  const out: Item[] = []
  const loops = new Map<string, Item & {kind: 'loop'}>()
  for (const step of steps) {
    if (step.parentId === null) {
      out.push({kind: 'step', step})
      continue
    }
    let loop = loops.get(step.parentId)
    if (!loop) {
      loop = {kind: 'loop', id: step.parentId, iterations: new Map()}
      loops.set(step.parentId, loop)
      out.push(loop)
    }
    const list = loop.iterations.get(step.iteration) ?? []
    list.push(step)
    loop.iterations.set(step.iteration, list)
  }
  return out
}

/** The steps as rows with a bar placed on the run's time axis (a small Gantt chart). */
export function Timeline({run, steps, selected, onSelect}: {run: RunView; steps: StepView[]; selected?: number; onSelect: (id: number) => void}) {
  const start = Date.parse(run.startedAt)
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Math.max(Date.now(), ...steps.map(s => Date.parse(s.finishedAt ?? s.startedAt)))
  const span = Math.max(1, end - start)
  const row = (s: StepView, nested: boolean) => {
    const ms = elapsed(s.startedAt, s.durationMs, s.status === 'running') ?? 0
    const left = ((Date.parse(s.startedAt) - start) / span) * 100
    const width = Math.max(0.6, (ms / span) * 100)
    const why = s.reason ?? (s.reused ? 'completed before the resume; outputs reused' : s.error ?? undefined)
    return (
      <li key={s.id} class={`step st-${s.status}${selected === s.id ? ' selected' : ''}${nested ? ' nested' : ''}`} data-step={s.stepId} data-status={s.status} onClick={() => onSelect(s.id)} title={why}>
        <span class={`dot s-${s.status}`} />
        <span class="name">
          {s.name ?? s.stepId}
          {s.name && s.name !== s.stepId && <span class="dim mono"> {s.stepId}</span>}
          {s.reused && <span class="tag">reused</span>}
        </span>
        <span class="st">{s.status}</span>
        <span class="num">{s.status === 'skipped' ? '' : duration(ms)}</span>
        <span class="num">{s.costUsd ? money(s.costUsd) : ''}</span>
        <span class="bar">
          {s.status !== 'skipped' && <i class={`s-${s.status}`} style={{left: `${Math.min(99.4, left)}%`, width: `${Math.min(100 - left, width)}%`}} />}
        </span>
        {why && (s.status === 'skipped' || s.reused || s.status === 'failed' || s.status === 'interrupted') && <span class="why">{why}</span>}
      </li>
    )
  }
  if (steps.length === 0) return <ol class="timeline"><li class="empty">No step has started yet.</li></ol>
  return (
    <ol class="timeline">
      {items(steps).map(item =>
        item.kind === 'step' ? (
          row(item.step, false)
        ) : (
          <li key={`loop-${item.id}`} class="loop">
            <div class="loop-head">
              ↻ {item.id} <span class="dim">{item.iterations.size} iteration{item.iterations.size === 1 ? '' : 's'}</span>
            </div>
            {[...item.iterations].map(([n, list]) => (
              <ol class="iteration" key={n}>
                <li class="iteration-head dim">attempt {n}</li>
                {list.map(s => row(s, true))}
              </ol>
            ))}
          </li>
        ),
      )}
    </ol>
  )
}
