import {Hono, type Context} from 'hono'
import {secureHeaders} from 'hono/secure-headers'
import {streamSSE} from 'hono/streaming'

import {decider, waitingProcess} from '../control/approve.js'
import {requestCancel} from '../control/cancel.js'
import {AdwError} from '../errors.js'
import {runDetail, type ResumeCache} from '../history/run-detail.js'
import {runPage} from '../history/run-page.js'
import {readPlan} from '../history/plan.js'
import {runGraph, type RunGraph} from '../history/run-graph.js'
import {computeStats, type Stats} from '../history/stats.js'
import type {Store} from '../store/types.js'
import {continueWithResume, decideFromPage, decisionBody, type Continue} from './actions.js'
import type {Asset} from './assets.js'
import {errorResponse, HttpError} from './errors.js'
import type {ChangeWatcher} from './live.js'
import {logPage} from './logs.js'
import {intParam, levelParam, onlyParams, statusParam, textParam, typeParam} from './params.js'
import {guard} from './security.js'

export interface AppDeps {
  store: Store
  /** The store's file: a decided run continues as `adw run --resume --db <it>`. */
  dbPath: string
  /** How a decided run continues (default: `adw run --resume` in a process of its own). */
  continueRun?: Continue
  assets: Map<string, Asset>
  watcher: ChangeWatcher
  /** When set, every request must carry it (cookie or bearer). */
  token?: string
  /** Sent as `version` by /api/health. */
  version: string
}

/** Log rows pushed per SSE event at most; a client far behind catches up over several events. */
const PUSH_ROWS = 1000
const KEEPALIVE_MS = 15_000

/** The dashboard's routes: the JSON API under /api, live streams as SSE, and the page. */
export function createApp(deps: AppDeps): Hono {
  const {store, watcher} = deps
  const app = new Hono()
  const resumes: ResumeCache = new Map()
  const continueRun = deps.continueRun ?? continueWithResume(store, deps.dbPath)

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"]},
      referrerPolicy: 'no-referrer',
      strictTransportSecurity: false, // plain http on purpose: loopback, or a tunnel
    }),
  )
  app.use('*', guard(deps.token))

  app.onError((err, c) => {
    if (err instanceof HttpError) return errorResponse(c, err.status, err.code, err.message)
    return errorResponse(c, 500, 'INTERNAL', `The dashboard failed to answer: ${err.message}`)
  })
  app.notFound(c => (c.req.path.startsWith('/api/') ? errorResponse(c, 404, 'NOT_FOUND', `No endpoint ${c.req.method} ${c.req.path}.`) : page(c)))

  const notFound = (adwId: string) => new HttpError(404, 'RUN_NOT_FOUND', `No run with adw_id "${adwId.slice(0, 80)}".`)
  const requireRun = async (adwId: string) => {
    const detail = await runDetail(store, adwId, resumes)
    if (!detail) throw notFound(adwId)
    return detail
  }
  const mustExist = async (adwId: string) => {
    if (!(await store.getRun(adwId))) throw notFound(adwId)
  }

  app.get('/api/health', c => {
    onlyParams(c.req.query(), [])
    return c.json({ok: true, version: deps.version, user: decider()})
  })

  app.get('/api/runs', async c => {
    const q = c.req.query()
    onlyParams(q, ['status', 'pipeline', 'q', 'limit', 'offset'])
    const page = await runPage(store, {
      status: statusParam(q),
      pipeline: textParam(q, 'pipeline'),
      text: textParam(q, 'q'),
      limit: intParam(q, 'limit', {min: 1, max: 500, default: 50}),
      offset: intParam(q, 'offset', {min: 0, max: 10_000_000, default: 0}),
    })
    return c.json(page)
  })

  app.get('/api/pipelines', async c => {
    onlyParams(c.req.query(), [])
    return c.json({pipelines: await store.pipelineNames()})
  })

  app.get('/api/runs/:id', async c => {
    onlyParams(c.req.query(), [])
    return c.json(await requireRun(c.req.param('id')))
  })

  app.get('/api/runs/:id/logs', async c => {
    const q = c.req.query()
    onlyParams(q, ['limit', 'afterId', 'beforeId', 'level', 'type', 'step'])
    const adwId = c.req.param('id')
    await mustExist(adwId)
    return c.json(
      await logPage(store, {
        adwId,
        limit: intParam(q, 'limit', {min: 1, max: 5000, default: 200})!,
        afterId: intParam(q, 'afterId', {min: 0, max: Number.MAX_SAFE_INTEGER}),
        beforeId: intParam(q, 'beforeId', {min: 0, max: Number.MAX_SAFE_INTEGER}),
        minLevel: levelParam(q),
        type: typeParam(q),
        step: textParam(q, 'step'),
      }),
    )
  })

  // The pipeline's graph as stored with the run (a resume with --pipeline replaces the snapshot: a new graph).
  const graphs = new Map<string, {snapshot: string; graph: RunGraph | null}>()
  app.get('/api/runs/:id/graph', async c => {
    onlyParams(c.req.query(), [])
    const adwId = c.req.param('id')
    const run = await store.getRun(adwId)
    if (!run) throw notFound(adwId)
    let cached = graphs.get(adwId)
    if (cached?.snapshot !== run.pipeline_snapshot) {
      if (graphs.size > 200) graphs.clear()
      cached = {snapshot: run.pipeline_snapshot, graph: runGraph(run.pipeline_snapshot, run.pipeline_file) ?? null}
      graphs.set(adwId, cached)
    }
    return c.json({graph: cached.graph})
  })

  app.get('/api/runs/:id/plan', async c => {
    onlyParams(c.req.query(), [])
    const detail = await requireRun(c.req.param('id'))
    return c.json({plan: readPlan(detail.run.workingDir, detail.steps) ?? null})
  })

  // Read again only after another process wrote (the change token) or the day changed: a cost page
  // left open over 10,000 runs costs nothing while nothing runs.
  let statsCache: {key: string; token: number; stats: Stats} | undefined
  app.get('/api/stats', async c => {
    const q = c.req.query()
    onlyParams(q, ['days'])
    const days = intParam(q, 'days', {min: 1, max: 3650})
    const key = `${days ?? ''}@${new Date().toISOString().slice(0, 10)}`
    const token = await store.changeToken()
    if (statsCache?.key !== key || statsCache.token !== token) statsCache = {key, token, stats: await computeStats(store, {days})}
    return c.json(statsCache.stats)
  })

  // The same request as `adw cancel` (recorded in the run's log, SIGTERM to its process).
  app.post('/api/runs/:id/cancel', async c => {
    onlyParams(c.req.query(), [])
    const adwId = c.req.param('id')
    await mustExist(adwId)
    try {
      return c.json({cancel: await requestCancel(store, adwId, 'adw ui')}, 202)
    } catch (error) {
      if (error instanceof AdwError) throw new HttpError(409, 'NOT_CANCELLABLE', error.message)
      throw error
    }
  })

  // The same decision as `adw approve` / `adw reject` (who: the name sent, else the server's OS user),
  // then the run continues as they continue it (adw run --resume).
  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    app.post(`/api/runs/:id/${verb}`, async c => {
      onlyParams(c.req.query(), [])
      const adwId = c.req.param('id')
      await mustExist(adwId)
      const raw = await c.req.json().catch(() => {
        throw new HttpError(400, 'BAD_BODY', 'The body is not JSON: send {"comment": "…"} with content-type application/json.')
      })
      const approval = await decideFromPage(store, adwId, decision, decisionBody(raw, decision))
      // A run blocked under `adw run --wait` is continued by that process, which sees the decision.
      const waiting = await waitingProcess(store, adwId)
      return c.json({approval, continuedBy: waiting ?? (await continueRun(adwId)) ?? null, ...(waiting !== undefined ? {waitingProcess: true} : {})}, 202)
    })
  }

  // Something changed in the store (any run): the runs and cost pages refetch what they show.
  app.get('/api/events', c => {
    onlyParams(c.req.query(), [])
    return streamSSE(c, async stream => {
      let n = 0
      await stream.writeSSE({event: 'hello', data: '{}'})
      // `running`: runs recorded as running, so a page can tell a run's end from its progress.
      await live(stream, c.req.raw.signal, async () => stream.writeSSE({event: 'change', data: JSON.stringify({n: ++n, running: await store.countRuns({status: 'running'})})}))
    })
  })

  // One run, live: its new log rows (every level and type; the page filters) and its steps.
  app.get('/api/runs/:id/events', async c => {
    const q = c.req.query()
    onlyParams(q, ['afterId'])
    const adwId = c.req.param('id')
    await mustExist(adwId)
    // From the given row, or where a reconnecting EventSource left off, or else from now: the page
    // loads older rows (filtered) through /logs.
    const resumeFrom = c.req.header('last-event-id')
    let lastId = intParam(q, 'afterId', {min: 0, max: Number.MAX_SAFE_INTEGER}) ?? (resumeFrom && /^\d+$/.test(resumeFrom) ? Number(resumeFrom) : ((await store.queryLogs({adwId, limit: 1}))[0]?.id ?? 0))
    return streamSSE(c, async stream => {
      const push = async () => {
        for (;;) {
          const {rows, more} = await logPage(store, {adwId, afterId: lastId, limit: PUSH_ROWS})
          if (rows.length > 0) {
            lastId = rows.at(-1)!.id
            await stream.writeSSE({event: 'logs', data: JSON.stringify(rows), id: String(lastId)})
          }
          if (!more) break
        }
        const detail = await runDetail(store, adwId, resumes)
        if (detail) await stream.writeSSE({event: 'run', data: JSON.stringify(detail)})
      }
      await push()
      await live(stream, c.req.raw.signal, push)
    })
  })

  app.get('/assets/:file', c => {
    const asset = deps.assets.get(c.req.param('file'))
    if (!asset) return errorResponse(c, 404, 'NOT_FOUND', `No asset ${c.req.param('file').slice(0, 80)}.`)
    return send(c, asset)
  })

  // The page's own routes (/, /runs/<id>, /cost) all serve the same document.
  function page(c: Context): Response {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return errorResponse(c, 404, 'NOT_FOUND', `No endpoint ${c.req.method} ${c.req.path}.`)
    return send(c, deps.assets.get('index.html')!)
  }
  app.get('/', c => page(c))

  /** Runs `onChange` (serially) after each store change until the client goes away. */
  async function live(stream: {writeSSE: (m: {event?: string; data: string}) => Promise<void>; write: (s: string) => Promise<unknown>; closed: boolean}, signal: AbortSignal, onChange: () => Promise<void>): Promise<void> {
    let busy = Promise.resolve()
    let queued = false
    const unsubscribe = watcher.subscribe(() => {
      if (queued) return
      queued = true
      busy = busy.then(async () => {
        queued = false
        if (!stream.closed) await onChange()
      }).catch(() => undefined)
    })
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => undefined), KEEPALIVE_MS)
    try {
      await new Promise<void>(resolve => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), {once: true})))
    } finally {
      clearInterval(keepalive)
      unsubscribe()
    }
  }

  return app
}

function send(c: Context, asset: Asset): Response {
  const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
  const headers: Record<string, string> = {'content-type': asset.type, 'cache-control': 'no-cache', vary: 'accept-encoding'}
  if (gzip) headers['content-encoding'] = 'gzip'
  return c.body((gzip ? asset.gzip : asset.body) as Uint8Array<ArrayBuffer>, 200, headers)
}
