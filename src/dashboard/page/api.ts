// The page's view of the JSON API: typed fetches that throw the server's error message.
import type {RunDetail} from '../../history/run-detail.js'
import type {RunPage} from '../../history/run-page.js'
import type {PlanFile} from '../../history/plan.js'
import type {Stats} from '../../history/stats.js'
import type {RunGraph, GraphNodeView} from '../../history/run-graph.js'
import type {LogView} from '../logs.js'

export type {RunDetail, RunPage, PlanFile, Stats, LogView, RunGraph, GraphNodeView}
export type {RunView} from '../../history/run-page.js'
export type {StepView, ApprovalView} from '../../history/run-detail.js'

/** A failed request: the server's message, and its HTTP status (404: no such run yet). */
export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message)
  }
}

async function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const res = await fetch(qs.size ? `${path}?${qs}` : path, {headers: {accept: 'application/json'}})
  const body = await res.json().catch(() => ({}))
  if (!res.ok) throw new ApiError(body?.error?.message ?? `${res.status} ${res.statusText}`, res.status)
  return body as T
}

/** A state-changing request from the page (the server checks its Origin). */
async function post<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {method: 'POST', ...(body === undefined ? {} : {headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})})
  const parsed = await res.json().catch(() => ({}))
  if (!res.ok) throw new ApiError(parsed?.error?.message ?? `${res.status} ${res.statusText}`, res.status)
  return parsed as T
}

export const api = {
  runs: (q: {status?: string; pipeline?: string; q?: string; limit?: number; offset?: number}) => get<RunPage>('/api/runs', q),
  pipelines: () => get<{pipelines: string[]}>('/api/pipelines'),
  run: (id: string) => get<RunDetail>(`/api/runs/${encodeURIComponent(id)}`),
  logs: (id: string, q: {limit?: number; beforeId?: number; level?: string; type?: string; step?: string}) => get<{rows: LogView[]; more: boolean}>(`/api/runs/${encodeURIComponent(id)}/logs`, q),
  plan: (id: string) => get<{plan: PlanFile | null}>(`/api/runs/${encodeURIComponent(id)}/plan`),
  graph: (id: string) => get<{graph: RunGraph | null}>(`/api/runs/${encodeURIComponent(id)}/graph`),
  stats: (days?: number) => get<Stats>('/api/stats', {days}),
  health: () => get<{ok: boolean; version: string; user: string}>('/api/health'),
  cancel: (id: string) => post<unknown>(`/api/runs/${encodeURIComponent(id)}/cancel`),
  approve: (id: string, b: {as?: string; comment?: string; step?: string}) => post<unknown>(`/api/runs/${encodeURIComponent(id)}/approve`, b),
  reject: (id: string, b: {as?: string; reason: string; step?: string}) => post<unknown>(`/api/runs/${encodeURIComponent(id)}/reject`, b),
}

/** An EventSource that reconnects by itself (the browser does that) and is closed by the returned function. */
export function listen(path: string, handlers: Record<string, (data: any) => void>): () => void {
  const source = new EventSource(path)
  for (const [event, handler] of Object.entries(handlers)) source.addEventListener(event, e => handler(JSON.parse((e as MessageEvent).data)))
  return () => source.close()
}
