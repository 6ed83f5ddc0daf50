import {useEffect, useLayoutEffect, useMemo, useRef, useState} from 'preact/hooks'

import {api, type LogView, type StepView} from './api.js'
import {clock} from './format.js'

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']
const TYPES = ['milestone', 'state_change', 'tool_call', 'cost_update', 'performance', 'error', 'output']
const PAGE = 300

/**
 * A run's log rows (of one step when one is selected), newest at the bottom: the last PAGE rows,
 * older ones on demand, new ones as the run's stream delivers them (`live`). Only loaded rows are in
 * the page, so a run with 100,000 rows opens as fast as one with 300.
 */
export function LogPane({adwId, step, live}: {adwId: string; step?: StepView; live: LogView[]}) {
  const [level, setLevel] = useState('')
  const [type, setType] = useState('')
  const [rows, setRows] = useState<LogView[]>([])
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string>()
  const [open, setOpen] = useState<Set<number>>(new Set())
  const box = useRef<HTMLDivElement>(null)
  const stick = useRef(true)
  const filter = {level: level || undefined, type: type || undefined, step: step?.stepId}

  const matches = (r: LogView) =>
    (!filter.level || LEVELS.indexOf(r.level) >= LEVELS.indexOf(filter.level)) && (!filter.type || r.type === filter.type) && (!step || (r.step === step.stepId && r.iteration === step.iteration))

  useEffect(() => {
    stick.current = true
    api.logs(adwId, {...filter, limit: PAGE}).then(
      p => (setRows(p.rows.filter(matches)), setMore(p.more), setError(undefined)),
      e => setError(String(e.message)),
    )
  }, [adwId, level, type, step?.id])

  // Rows streamed since: those after the last loaded one that pass the filters.
  const shown = useMemo(() => {
    const last = rows.at(-1)?.id ?? 0
    return rows.concat(live.filter(r => r.id > last && matches(r)))
  }, [rows, live, level, type, step?.id])

  useLayoutEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight
  }, [shown.length])

  const older = () =>
    api.logs(adwId, {...filter, limit: PAGE, beforeId: rows[0]?.id}).then(p => {
      const el = box.current!
      const from = el.scrollHeight - el.scrollTop
      setRows(p.rows.filter(matches).concat(rows))
      setMore(p.more)
      requestAnimationFrame(() => (el.scrollTop = el.scrollHeight - from))
    })

  const toggle = (id: number) => setOpen(prev => {
    const next = new Set(prev)
    next.has(id) ? next.delete(id) : next.add(id)
    return next
  })

  return (
    <div class="logs">
      <div class="toolbar small">
        <select aria-label="level" value={level} onChange={e => setLevel(e.currentTarget.value)}>
          <option value="">all levels</option>
          {LEVELS.slice(1).map(l => <option value={l}>{l} and above</option>)}
        </select>
        <select aria-label="type" value={type} onChange={e => setType(e.currentTarget.value)}>
          <option value="">all types</option>
          {TYPES.map(t => <option value={t}>{t}</option>)}
        </select>
        <span class="dim">{shown.length} row{shown.length === 1 ? '' : 's'}{more ? ' (older ones not loaded)' : ''}</span>
      </div>
      {error && <p class="error">{error}</p>}
      <div class="log-rows" ref={box} onScroll={e => (stick.current = e.currentTarget.scrollHeight - e.currentTarget.scrollTop - e.currentTarget.clientHeight < 24)}>
        {more && <button class="older" onClick={older}>load older rows</button>}
        {shown.length === 0 && !error && <p class="empty">No log rows{step ? ' for this step' : ''} match.</p>}
        {shown.map(r => (
          <div key={r.id} class={`log l-${r.level} t-${r.type}${open.has(r.id) ? ' open' : ''}`} data-log={r.id} onClick={() => toggle(r.id)}>
            <span class="time">{clock(r.createdAt)}</span>
            <span class="lstep">{r.step ? (r.iteration > 0 ? `${r.step}#${r.iteration}` : r.step) : '—'}</span>
            <span class="level">{r.level}</span>
            <span class="type">{r.type}</span>
            <span class="msg">
              {open.has(r.id) ? r.message : r.message.split('\n')[0]}
              {!open.has(r.id) && r.type === 'tool_call' && r.details != null && <span class="dim"> {brief(r.details)}</span>}
            </span>
            {open.has(r.id) && r.details != null && <pre class="details">{JSON.stringify(r.details, null, 2)}</pre>}
          </div>
        ))}
      </div>
    </div>
  )
}

/** A tool call's input on one line. */
function brief(details: unknown): string {
  const input = (details as {input?: unknown})?.input
  const text = JSON.stringify(input ?? details)
  return text.length > 120 ? `${text.slice(0, 119)}…` : text
}
