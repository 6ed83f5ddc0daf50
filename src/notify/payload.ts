/** What a notification says: the JSON every target receives, with a Slack-ready `text`. */
import {dollars, duration} from '../history/format.js'
import type {NotifyEvent} from './schema.js'

/** The facts of a run a notification is about (gathered from the engine's events). */
export interface RunFacts {
  adwId: string
  pipeline: string
  workingDir?: string
  startedAt?: string
  status: string
  durationMs?: number
  error?: string
  totals: {inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; costUsd: number}
  /** The step that failed (the run's cause, or the step of a step.failed event), or crossed the budget. */
  step?: {id: string; iteration: number; error?: string}
  /** run.waiting: the gate, its message and the commands that decide it. */
  approval?: {step: string; message: string; commands: string[]}
  /** budget.exceeded: the limit reached (step: whose budget, absent for the run's), spent and limit in its unit. */
  budget?: {kind: string; spent: number; limit: number; step?: string}
}

/** The body of every webhook, and the stdin of every command target. */
export interface NotifyPayload {
  event: NotifyEvent
  /** One line for chat: Slack incoming webhooks show it as is (mrkdwn). */
  text: string
  run: {adwId: string; pipeline: string; status: string; workingDir?: string; startedAt?: string; durationMs?: number; error?: string}
  cost: {usd: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number}
  step?: {id: string; iteration: number; error?: string}
  approval?: RunFacts['approval']
  budget?: RunFacts['budget']
  /** The run in `adw ui`, when adw.config.yaml gives ui.url. */
  link?: string
  time: string
  adw: {version: string}
}

const ICON: Record<NotifyEvent, string> = {
  'run.succeeded': ':white_check_mark:',
  'run.failed': ':x:',
  'run.cancelled': ':no_entry_sign:',
  'run.waiting': ':hourglass_flowing_sand:',
  'budget.exceeded': ':money_with_wings:',
  'step.failed': ':warning:',
}

const VERB: Record<NotifyEvent, string> = {
  'run.succeeded': 'succeeded',
  'run.failed': 'failed',
  'run.cancelled': 'was cancelled',
  'run.waiting': 'is waiting for approval',
  'budget.exceeded': 'stopped at its budget',
  'step.failed': 'has a failed step',
}

/** The notification of `event` about `run`. */
export function buildPayload(event: NotifyEvent, run: RunFacts, opts: {uiUrl?: string; version: string; time?: string}): NotifyPayload {
  const link = opts.uiUrl ? `${opts.uiUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(run.adwId)}` : undefined
  const t = run.totals
  return {
    event,
    text: slackText(event, run, link),
    run: {
      adwId: run.adwId,
      pipeline: run.pipeline,
      status: run.status,
      ...(run.workingDir ? {workingDir: run.workingDir} : {}),
      ...(run.startedAt ? {startedAt: run.startedAt} : {}),
      ...(run.durationMs !== undefined ? {durationMs: run.durationMs} : {}),
      ...(run.error ? {error: run.error} : {}),
    },
    cost: {usd: t.costUsd, inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheReadTokens: t.cacheReadTokens, cacheCreationTokens: t.cacheCreationTokens},
    ...(run.step ? {step: run.step} : {}),
    ...(run.approval ? {approval: run.approval} : {}),
    ...(run.budget ? {budget: run.budget} : {}),
    ...(link ? {link} : {}),
    time: opts.time ?? new Date().toISOString(),
    adw: {version: opts.version},
  }
}

/** `:x: adw run *feat-42* (plan-build-review-fix) failed after 2m03s: step build failed: … · $0.4210 · <link|open in adw ui>` */
function slackText(event: NotifyEvent, run: RunFacts, link: string | undefined): string {
  const parts = [`${ICON[event]} adw run *${escape(run.adwId)}* (${escape(run.pipeline)}) ${VERB[event]}`]
  if (event !== 'step.failed' && run.durationMs !== undefined) parts[0] += ` after ${duration(run.durationMs)}`
  const why = event === 'step.failed' && run.step ? `step ${run.step.id}${run.step.iteration ? ` (iteration ${run.step.iteration})` : ''}: ${run.step.error ?? 'failed'}` : event === 'run.waiting' && run.approval ? `step ${run.approval.step}: ${run.approval.message} — ${run.approval.commands.join(' or ')}` : run.error
  if (why && event !== 'run.succeeded') parts[0] += `: ${escape(oneLine(why, 300))}`
  parts.push(dollars(run.totals.costUsd))
  if (link) parts.push(`<${link}|open in adw ui>`)
  return parts.join(' · ')
}

/** Slack's three control characters. */
const escape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

function oneLine(s: string, max: number): string {
  const line = s.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
