import {useEffect, useRef, useState} from 'preact/hooks'

import {api, listen, type RunPage as Page} from './api.js'
import {count, duration, elapsed, money, truncate, when} from './format.js'
import {navigate, onLink} from './router.js'
import {Status} from './status.js'

const STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'interrupted', 'budget_exceeded']
const PAGE = 50

/** Newest runs first, filtered by status, pipeline and text; refreshed live. */
export function RunsPage({search}: {search: URLSearchParams}) {
  const status = search.get('status') ?? ''
  const pipeline = search.get('pipeline') ?? ''
  const q = search.get('q') ?? ''
  const offset = Number(search.get('offset') ?? 0) || 0
  const [text, setText] = useState(q)
  const [page, setPage] = useState<Page>()
  const [pipelines, setPipelines] = useState<string[]>([])
  const [error, setError] = useState<string>()
  const [, tick] = useState(0)
  const version = useRef(0)

  const load = () => {
    const v = ++version.current
    api
      .runs({status, pipeline, q, offset, limit: PAGE})
      .then(p => v === version.current && (setPage(p), setError(undefined)))
      .catch(e => setError(String(e.message)))
  }
  useEffect(load, [status, pipeline, q, offset])
  useEffect(() => void api.pipelines().then(p => setPipelines(p.pipelines)).catch(() => undefined), [])
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const stop = listen('/api/events', {change: () => (timer ??= setTimeout(() => ((timer = undefined), load()), 100))})
    const clock = setInterval(() => tick(n => n + 1), 1000) // running durations count up
    return () => (stop(), clearInterval(clock), clearTimeout(timer))
  }, [status, pipeline, q, offset])

  // Typing filters after a pause, without a history entry per key.
  useEffect(() => {
    if (text === q) return
    const t = setTimeout(() => go({q: text, offset: ''}, true), 250)
    return () => clearTimeout(t)
  }, [text])

  function go(change: Record<string, string>, replace = false) {
    const next = new URLSearchParams(location.search) // not the prop: two quick changes must both count
    for (const [k, v] of Object.entries(change)) v ? next.set(k, v) : next.delete(k)
    navigate(next.size ? `/?${next}` : '/', replace)
  }

  return (
    <section>
      <div class="toolbar">
        <h1>Runs</h1>
        <select aria-label="status" value={status} onChange={e => go({status: e.currentTarget.value, offset: ''})}>
          <option value="">any status</option>
          {STATUSES.map(s => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <select aria-label="pipeline" value={pipeline} onChange={e => go({pipeline: e.currentTarget.value, offset: ''})}>
          <option value="">any pipeline</option>
          {pipelines.map(p => (
            <option value={p}>{p}</option>
          ))}
        </select>
        <input type="search" aria-label="search" placeholder="adw id or prompt…" value={text} onInput={e => setText(e.currentTarget.value)} />
        <span class="grow" />
        {page && <Pager page={page} go={go} />}
      </div>
      {error && <p class="error">{error}</p>}
      {page && page.runs.length === 0 && <p class="empty">{status || pipeline || q ? 'No runs match these filters.' : 'No runs yet. Start one with: adw run <pipeline>'}</p>}
      {page && page.runs.length > 0 && (
        <table class="runs">
          <thead>
            <tr>
              <th>status</th>
              <th>adw id</th>
              <th>pipeline</th>
              <th>prompt</th>
              <th>started</th>
              <th class="num">duration</th>
              <th class="num">steps</th>
              <th class="num">tokens</th>
              <th class="num">cost</th>
            </tr>
          </thead>
          <tbody>
            {page.runs.map(r => {
              const ms = elapsed(r.startedAt, r.durationMs, r.status === 'running')
              const href = `/runs/${encodeURIComponent(r.adwId)}`
              return (
                <tr key={r.adwId} data-run={r.adwId} onClick={e => !(e.target as Element).closest('a') && navigate(href)}>
                  <td>
                    <Status status={r.status} />
                  </td>
                  <td class="mono">
                    <a href={href} onClick={onLink}>
                      {r.adwId}
                    </a>
                  </td>
                  <td>{r.pipeline}</td>
                  <td class="prompt" title={r.prompt ?? ''}>
                    {r.prompt ? truncate(r.prompt.replace(/\s+/g, ' '), 70) : <span class="dim">{r.currentStep ? `at ${r.currentStep}` : '—'}</span>}
                  </td>
                  <td class="dim">{when(r.startedAt)}</td>
                  <td class="num">{ms === null ? '—' : duration(ms)}</td>
                  <td class="num">{r.steps.total ? `${r.steps.succeeded}/${r.steps.total}` : '—'}</td>
                  <td class="num" title={`${r.inputTokens} in, ${r.outputTokens} out, ${r.cacheCreationTokens} cache writes, ${r.cacheReadTokens} cache reads`}>{count(r.inputTokens + r.outputTokens + r.cacheCreationTokens + r.cacheReadTokens)}</td>
                  <td class="num">{money(r.costUsd)}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Pager({page, go}: {page: Page; go: (c: Record<string, string>) => void}) {
  const first = page.total === 0 ? 0 : page.offset + 1
  const last = Math.min(page.total, page.offset + page.runs.length)
  return (
    <span class="pager">
      <span class="dim">
        {first}–{last} of {page.total.toLocaleString('en')}
      </span>
      <button disabled={page.offset === 0} onClick={() => go({offset: String(Math.max(0, page.offset - page.limit) || '')})}>
        ‹ newer
      </button>
      <button disabled={last >= page.total} onClick={() => go({offset: String(page.offset + page.limit)})}>
        older ›
      </button>
    </span>
  )
}
