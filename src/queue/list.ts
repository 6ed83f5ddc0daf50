/**
 * `adw queue`: the queued runs (from the store) and, per worker (host:pid, last seen), the runs it
 * executes now. Workers come from the queue's presence table; run details from the store.
 */
import {resolveConfig} from '../config.js'
import {openStore} from '../store/open.js'
import type {RunRow} from '../store/types.js'
import {openBoss} from './boss.js'
import {listPresence} from './presence.js'
import {queueSettings} from './settings.js'

export interface QueueView {
  workers: Array<{
    id: string
    host: string
    pid: number
    queue: string
    concurrency: number
    state: string
    /** Heard from within three presence intervals and not stopped. */
    live: boolean
    startedAt: string
    seenAt: string
    seenSecondsAgo: number
    runs: Array<{adwId: string; since: string; status: string | null; pipeline: string | null; currentStep: string | null}>
  }>
  queued: Array<{adwId: string; queue: string | null; pipeline: string; queuedAt: string}>
}

export async function queueView(opts: {db?: string; cwd?: string; queue?: string}): Promise<QueueView> {
  const config = await resolveConfig({cwd: opts.cwd ?? process.cwd(), db: opts.db})
  const settings = queueSettings(config.env, config.dbPath)
  const boss = await openBoss(settings, 'client')
  const store = await openStore(config.dbPath)
  try {
    const now = Date.now()
    const presence = (await listPresence(boss, settings.schema)).filter(w => !opts.queue || w.queue === opts.queue)
    const workers = []
    for (const w of presence) {
      const seenSecondsAgo = Math.max(0, Math.round((now - Date.parse(w.seen_at)) / 100) / 10)
      const runs = []
      for (const r of w.runs) {
        const run: RunRow | undefined = await store.getRun(r.adwId)
        runs.push({adwId: r.adwId, since: r.since, status: run?.status ?? null, pipeline: run?.pipeline_name ?? null, currentStep: run?.current_step ?? null})
      }
      workers.push({id: w.id, host: w.host, pid: w.pid, queue: w.queue, concurrency: w.concurrency, state: w.state, live: w.state !== 'stopped' && seenSecondsAgo < 3 * settings.presenceSeconds + 2, startedAt: w.started_at, seenAt: w.seen_at, seenSecondsAgo, runs})
    }
    const queued = (await store.listRuns({status: 'queued'}))
      .filter(r => !opts.queue || r.queue === opts.queue)
      .map(r => ({adwId: r.adw_id, queue: r.queue ?? null, pipeline: r.pipeline_name, queuedAt: r.started_at}))
      .reverse()
    return {workers, queued}
  } finally {
    await store.close()
    await boss.stop({graceful: false, close: true}).catch(() => {})
  }
}

const ago = (s: number): string => (s < 60 ? `${Math.round(s)} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`)

/** The view as text: one block per worker (its runs under it), then the queued runs, oldest first. */
export function formatQueue(view: QueueView): string {
  const out: string[] = []
  const live = view.workers.filter(w => w.state !== 'stopped')
  out.push(live.length ? `Workers (${live.length}):` : 'Workers: none seen in the last hour (start one: adw worker)')
  for (const w of view.workers) {
    if (w.state === 'stopped') continue
    const state = w.live ? w.state : 'lost (no sign of life)'
    out.push(`  ${w.id}  queue ${w.queue}  ${state}  last seen ${ago(w.seenSecondsAgo)}  ${w.runs.length}/${w.concurrency} running`)
    for (const r of w.runs) {
      const secs = Math.round((Date.now() - Date.parse(r.since)) / 1000)
      out.push(`    ${r.adwId}  ${r.pipeline ?? '?'}  ${r.status ?? 'unknown'}${r.currentStep ? ` at ${r.currentStep}` : ''}  for ${secs} s`)
    }
  }
  out.push(view.queued.length ? `Queued (${view.queued.length}), oldest first:` : 'Queued: none')
  for (const q of view.queued) out.push(`  ${q.adwId}  queue ${q.queue ?? '?'}  ${q.pipeline}  since ${q.queuedAt.replace('T', ' ').slice(0, 19)}`)
  return out.join('\n')
}
