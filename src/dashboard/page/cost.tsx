import {useEffect, useState} from 'preact/hooks'

import {api, listen, type Stats} from './api.js'
import {DayChart} from './chart.js'
import {count, duration, money} from './format.js'
import {navigate} from './router.js'

/**
 * While runs write (every tool call is a change), the figures are read again at most this often;
 * at once when a run ends (fewer runs running than at the last change). Over 10,000 runs a reload
 * reads every step row of the range in the database.
 */
const RELOAD_MS = 10_000

const RANGES = [
  ['7', 'last 7 days'],
  ['30', 'last 30 days'],
  ['90', 'last 90 days'],
  ['', 'all time'],
]

/** Cost and quality over time: the same figures as `adw stats`. */
export function CostPage({search}: {search: URLSearchParams}) {
  const days = search.get('days') ?? '30'
  const [stats, setStats] = useState<Stats>()
  const [error, setError] = useState<string>()
  useEffect(() => {
    let loadedAt = 0
    let running: number | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = () => {
      clearTimeout(timer)
      timer = undefined
      loadedAt = Date.now()
      api.stats(days ? Number(days) : undefined).then(s => (setStats(s), setError(undefined)), e => setError(String(e.message)))
    }
    load()
    const stop = listen('/api/events', {
      change: (data: {running?: number}) => {
        const ended = running !== undefined && data.running !== undefined && data.running < running
        running = data.running
        if (ended) return load()
        timer ??= setTimeout(load, Math.max(0, loadedAt + RELOAD_MS - Date.now()))
      },
    })
    return () => (stop(), clearTimeout(timer))
  }, [days])

  return (
    <section class="cost">
      <div class="toolbar">
        <h1>Cost &amp; quality</h1>
        <select aria-label="range" value={days} onChange={e => navigate(e.currentTarget.value ? `/cost?days=${e.currentTarget.value}` : '/cost?days=', true)}>
          {RANGES.map(([v, l]) => <option value={v}>{l}</option>)}
        </select>
        <span class="grow" />
        <span class="dim">also in the terminal: <code>adw stats{days ? ` --days ${days}` : ''}</code></span>
      </div>
      {error && <p class="error">{error}</p>}
      {stats && stats.runs === 0 && <p class="empty">No runs with steps in this range.</p>}
      {stats && stats.runs > 0 && <Figures s={stats} />}
    </section>
  )
}

function Figures({s}: {s: Stats}) {
  // As `adw runs` counts them: input, output, cache writes and cache reads.
  const tokens = (x: {inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number}) => x.inputTokens + x.outputTokens + x.cacheReadTokens + x.cacheCreationTokens
  const maxAttempts = Math.max(1, ...s.fixAttempts.map(a => a.runs))
  return (
    <>
      <div class="cards">
        <Card label="cost" value={money(s.total.costUsd)} />
        <Card label="tokens" value={count(tokens(s.total))} note={`${count(s.total.cacheReadTokens)} of them cache reads`} />
        <Card label="runs" value={String(s.runs)} />
        <Card label="review passed first try" value={s.review.rate === null ? '—' : `${Math.round(s.review.rate * 100)}%`} note={`${s.review.passedFirstTry} of ${s.review.runs} reviewed runs`} />
      </div>
      <div class="panel">
        <h2>Per day</h2>
        <DayChart
          days={s.perDay.map(d => d.day)}
          series={[
            {label: 'cost', values: s.perDay.map(d => d.costUsd), color: '#3b6fd8', format: money},
            {label: 'tokens', values: s.perDay.map(tokens), color: '#e08a2c', format: count},
          ]}
        />
      </div>
      <div class="grid2">
        <Table title="Per pipeline" head={['pipeline', 'runs', 'tokens', 'cost']} rows={s.perPipeline.map(p => [p.pipeline, String(p.runs), count(tokens(p)), money(p.costUsd)])} />
        <Table title="Per model" head={['model', 'steps', 'tokens', 'cost']} rows={s.perModel.map(m => [m.model, String(m.steps), count(tokens(m)), money(m.costUsd)])} empty="No step recorded a model (shell steps only)." />
        <Table title="Per step" head={['step', 'executions', 'median', 'tokens', 'cost']} rows={s.perStep.map(p => [p.step, String(p.executions), p.medianMs === null ? '—' : duration(p.medianMs), count(tokens(p)), money(p.costUsd)])} />
        <div class="panel">
          <h2>Fix-loop iterations</h2>
          {s.fixAttempts.length === 0 ? (
            <p class="empty">No run returned a review verdict.</p>
          ) : (
            <div class="hbars">
              {s.fixAttempts.map(a => (
                <div class="hbar">
                  <span>{a.attempts === 0 ? 'none' : a.attempts}</span>
                  <i style={{width: `${(a.runs / maxAttempts) * 100}%`}} />
                  <span class="num">{a.runs} run{a.runs === 1 ? '' : 's'}</span>
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
    </>
  )
}

const Card = ({label, value, note}: {label: string; value: string; note?: string}) => (
  <div class="card">
    <div class="dim">{label}</div>
    <div class="big">{value}</div>
    {note && <div class="dim small">{note}</div>}
  </div>
)

function Table({title, head, rows, empty}: {title: string; head: string[]; rows: string[][]; empty?: string}) {
  return (
    <div class="panel">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="empty">{empty ?? 'Nothing yet.'}</p>
      ) : (
        <table>
          <thead><tr>{head.map((h, i) => <th class={i ? 'num' : ''}>{h}</th>)}</tr></thead>
          <tbody>{rows.map(r => <tr>{r.map((c, i) => <td class={i ? 'num' : ''}>{c}</td>)}</tr>)}</tbody>
        </table>
      )}
    </div>
  )
}
