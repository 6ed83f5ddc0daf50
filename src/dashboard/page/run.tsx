import {useEffect, useState} from 'preact/hooks'

import {api, ApiError, listen, type LogView, type RunDetail, type StepView} from './api.js'
import {count, duration, elapsed, money, when} from './format.js'
import {Gates} from './gate.js'
import {GraphView} from './graph.js'
import {LogPane} from './logs.js'
import {Markdown} from './markdown.js'
import {onLink} from './router.js'
import {Status} from './status.js'
import {StepPanel} from './step.js'
import {Timeline} from './timeline.js'

/** One run: header, steps as a timeline, the selected step's details and live log rows, the plan. */
export function RunPage({id}: {id: string}) {
  const [detail, setDetail] = useState<RunDetail>()
  const [error, setError] = useState<string>()
  const [live, setLive] = useState<LogView[]>([])
  const [selected, setSelected] = useState<number>()
  const [tab, setTab] = useState<'logs' | 'plan'>('logs')
  const [view, setView] = useState<'timeline' | 'graph'>(() => (new URLSearchParams(location.search).get('view') === 'graph' ? 'graph' : 'timeline'))
  const [absent, setAbsent] = useState(false)
  const [, tick] = useState(0)

  useEffect(() => {
    // A link announced before the run's first row: wait for the run (polling) instead of failing.
    let stop = () => {}
    let retry: ReturnType<typeof setTimeout> | undefined
    const load = () =>
      api.run(id).then(
        d => {
          setAbsent(false), setError(undefined), setDetail(d)
          // The stream starts at the run's newest row: older rows come from the log pane's own fetch.
          stop = listen(`/api/runs/${encodeURIComponent(id)}/events`, {
            run: (d: RunDetail) => setDetail(d),
            logs: (rows: LogView[]) => setLive(prev => (prev.length > 5000 ? prev.slice(-2500) : prev).concat(rows)),
          })
        },
        e => {
          if (e instanceof ApiError && e.status === 404) setAbsent(true)
          else setError(String(e.message))
          retry = setTimeout(load, ABSENT_POLL_MS)
        },
      )
    setDetail(undefined), setLive([]), load()
    const clock = setInterval(() => tick(n => n + 1), 1000)
    return () => (stop(), clearTimeout(retry), clearInterval(clock))
  }, [id])

  if (absent && !detail) return <p class="note waiting-for-run">No run <code>{id}</code> yet: this page shows it as soon as it starts.</p>
  if (error && !detail) return <p class="error">{error} (trying again)</p>
  if (!detail) return <p class="dim">Loading…</p>
  const {run, steps} = detail
  const step = steps.find(s => s.id === selected)
  const select = (id: number) => setSelected(id === selected ? undefined : id)
  const ms = elapsed(run.startedAt, run.durationMs, run.status === 'running')
  return (
    <section class="run">
      <div class="run-head">
        <a href="/" onClick={onLink} class="dim back">
          ‹ runs
        </a>
        <h1 class="mono">{run.adwId}</h1>
        <Status status={run.status} />
        <span class="dim">{run.pipeline}</span>
        <span class="grow" />
        {run.status === 'running' || run.status === 'queued' ? <CancelButton adwId={run.adwId} /> : <ResumeCopy command={run.status === 'waiting' ? `adw approve ${run.adwId}` : run.resumeCommand} />}
      </div>
      <dl class="facts">
        <div><dt>started</dt><dd>{when(run.startedAt)}</dd></div>
        <div><dt>duration</dt><dd>{ms === null ? '—' : duration(ms)}</dd></div>
        <div><dt>steps</dt><dd>{run.steps.succeeded}/{run.steps.total}{run.steps.skipped ? `, ${run.steps.skipped} skipped` : ''}</dd></div>
        <div><dt>tokens in/out</dt><dd>{count(run.inputTokens)} / {count(run.outputTokens)}</dd></div>
        <div><dt>cache read</dt><dd>{count(run.cacheReadTokens)}</dd></div>
        <div><dt>cost</dt><dd>{money(run.costUsd)}</dd></div>
        <div class="wide"><dt>working dir</dt><dd class="mono">{run.workingDir}</dd></div>
      </dl>
      {run.prompt && <p class="prompt-full">{run.prompt}</p>}
      {run.error && <pre class="run-error">{run.error}</pre>}
      <Gates adwId={run.adwId} approvals={detail.approvals} waiting={run.status === 'waiting'} />
      {run.status === 'interrupted' && <p class="note">Its process (pid {run.pid} on {run.host}) is gone. Continue it with <code>{run.resumeCommand}</code>.</p>}
      <div class="tabs views">
        {(['timeline', 'graph'] as const).map(v => (
          <button class={view === v ? 'active' : ''} onClick={() => setView(v)}>
            {v === 'timeline' ? 'Timeline' : 'Graph'}
          </button>
        ))}
      </div>
      {view === 'graph' && <GraphView adwId={run.adwId} steps={steps} selected={selected} onSelect={select} />}
      <div class={`run-body${view === 'graph' ? ' under-graph' : ''}`}>
        {view === 'timeline' && <Timeline run={run} steps={steps} selected={selected} onSelect={select} />}
        <div class="detail">
          {step && <StepPanel step={step} />}
          <div class="tabs">
            <button class={tab === 'logs' ? 'active' : ''} onClick={() => setTab('logs')}>
              Logs{step ? ` · ${label(step)}` : ''}
            </button>
            <button class={tab === 'plan' ? 'active' : ''} onClick={() => setTab('plan')}>
              Plan
            </button>
          </div>
          {tab === 'logs' ? <LogPane adwId={run.adwId} step={step} live={live} /> : <Plan adwId={run.adwId} steps={steps} />}
        </div>
      </div>
    </section>
  )
}

const ABSENT_POLL_MS = 1000

export const label = (s: StepView): string => (s.iteration > 0 ? `${s.stepId} #${s.iteration}` : s.stepId)

function ResumeCopy({command}: {command: string}) {
  const [done, setDone] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command)
    } catch {
      // No clipboard (a plain-http page on another host): select the text for Ctrl-C instead.
      const range = document.createRange()
      range.selectNodeContents(document.getElementById('resume-cmd')!)
      getSelection()?.removeAllRanges()
      getSelection()?.addRange(range)
    }
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <span class="resume">
      <code id="resume-cmd">{command}</code>
      <button onClick={copy} title="Copy the command that continues this run">
        {done ? 'copied' : 'copy'}
      </button>
    </span>
  )
}

/** Two clicks (ask, confirm): the same request as `adw cancel`. */
function CancelButton({adwId}: {adwId: string}) {
  const [state, setState] = useState<'idle' | 'confirm' | 'sent' | string>('idle')
  const click = () => {
    if (state !== 'confirm') return setState('confirm')
    setState('sent')
    api.cancel(adwId).catch(e => setState(String(e.message)))
  }
  return (
    <span class="resume">
      {state !== 'idle' && state !== 'confirm' && <span class="dim">{state === 'sent' ? 'cancelling…' : state}</span>}
      <button class="danger" onClick={click} disabled={state === 'sent'}>
        {state === 'confirm' ? 'really cancel?' : 'cancel run'}
      </button>
    </span>
  )
}

function Plan({adwId, steps}: {adwId: string; steps: StepView[]}) {
  const [plan, setPlan] = useState<{path: string; markdown: string; truncated: boolean} | null>()
  const key = steps.filter(s => s.status === 'succeeded').length
  useEffect(() => void api.plan(adwId).then(p => setPlan(p.plan), () => setPlan(null)), [adwId, key])
  if (plan === undefined) return <p class="dim">Loading…</p>
  if (plan === null) return <p class="empty">No plan file: no step of this run returned a <code>plan_file</code> that exists in its working directory.</p>
  return (
    <div class="plan">
      <p class="dim mono">{plan.path}{plan.truncated ? ' (cut at 256 KB)' : ''}</p>
      <Markdown text={plan.markdown} />
    </div>
  )
}
