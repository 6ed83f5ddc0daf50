// The page's view of the JSON API: typed fetches that throw the server's error message.
import type {RunDetail} from '../../history/run-detail.js'
import type {RunPage} from '../../history/run-page.js'
import type {PlanFile} from '../../history/plan.js'
import type {Stats} from '../../history/stats.js'
import type {LogView} from '../logs.js'

export type {RunDetail, RunPage, PlanFile, Stats, LogView}
export type {RunView} from '../../history/run-page.js'
export type {StepView} from '../../history/run-detail.js'

async function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const res = await fetch(qs.size ? `${path}?${qs}` : path, {headers: {accept: 'application/json'}})
  const body = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`)
  return body as T
}

export const api = {
  runs: (q: {status?: string; pipeline?: string; q?: string; limit?: number; offset?: number}) => get<RunPage>('/api/runs', q),
  pipelines: () => get<{pipelines: string[]}>('/api/pipelines'),
  run: (id: string) => get<RunDetail>(`/api/runs/${encodeURIComponent(id)}`),
  logs: (id: string, q: {limit?: number; beforeId?: number; level?: string; type?: string; step?: string}) => get<{rows: LogView[]; more: boolean}>(`/api/runs/${encodeURIComponent(id)}/logs`, q),
  plan: (id: string) => get<{plan: PlanFile | null}>(`/api/runs/${encodeURIComponent(id)}/plan`),
  stats: (days?: number) => get<Stats>('/api/stats', {days}),
  cancel: async (id: string) => {
    const res = await fetch(`/api/runs/${encodeURIComponent(id)}/cancel`, {method: 'POST'})
    const body = await res.json().catch(() => ({}))
    if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`)
  },
}

/** An EventSource that reconnects by itself (the browser does that) and is closed by the returned function. */
export function listen(path: string, handlers: Record<string, (data: any) => void>): () => void {
  const source = new EventSource(path)
  for (const [event, handler] of Object.entries(handlers)) source.addEventListener(event, e => handler(JSON.parse((e as MessageEvent).data)))
  return () => source.close()
}
