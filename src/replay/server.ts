/**
 * The replay server: a Messages API on 127.0.0.1 that answers each step's calls from its recording,
 * so the executors run their real code (the SDK, the Claude Code CLI) offline, at no cost. Each step
 * run gets its own base URL (`/r/<step key>`); a call's turn is its request's assistant messages + 1.
 * A request that is not the recorded one is a divergence: answered with a 400 that says where and
 * how it differs, or, with `live`, sent on to the real API from then on for that step.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {Readable} from 'node:stream'
import type {Divergence} from '../store/types.js'
import {describeDivergence} from './diff.js'
import {claudeCodeCall} from './claude-code.js'
import type {RecordedStep, Recording} from './recorded.js'
import {requestHash, stableRequest} from './request.js'
import {messageEvents, messageJson, type RecordedMessage} from './sse.js'

export interface ReplayServerOptions {
  recording: Recording
  /** The replay's working directory (as given and as its real path): written as <working-dir> in requests. */
  workingDirs: string[]
  /** The recorded run's working directory (claude-code transcripts hold its paths). */
  recordedDirs?: string[]
  /** `--live-after-divergence`: where calls go once their step diverged. */
  live?: {baseURL: string}
}

export interface ReplayServer {
  url: string
  /** The ANTHROPIC_BASE_URL of one step run. */
  baseUrlFor(key: string): string
  /** Calls answered from the recording. */
  served: number
  /** Calls sent to the real API. */
  live: number
  divergences: Divergence[]
  close(): Promise<void>
}

const PREFIX = /^\/r\/([^/]+)(\/.*)$/

export async function startReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  const liveSteps = new Set<string>()
  const state: ReplayServer = {url: '', baseUrlFor: key => `${state.url}/r/${encodeURIComponent(key)}`, served: 0, live: 0, divergences: [], close: async () => {}}

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://replay')
    const m = PREFIX.exec(url.pathname)
    if (!m || req.method !== 'POST' || !m[2].endsWith('/v1/messages')) {
      if (m && liveSteps.has(decodeURIComponent(m[1])) && opts.live) return forward(req, res, raw, `${m[2]}${url.search}`)
      // Claude Code probes the base URL (HEAD /) and may count tokens: nothing to replay there.
      return sendError(res, 404, 'not_found_error', `adw replay: no recorded answer for ${req.method} ${url.pathname}`)
    }
    const key = decodeURIComponent(m[1])
    const path = `${m[2]}${url.search}`
    if (liveSteps.has(key)) return forward(req, res, raw, path)
    let body: any
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'adw replay: the request body is not JSON')
    }
    const step = opts.recording.steps.get(key)
    const answer = step?.transcripts.length && !step.requests.length ? claudeCodeCall(step, body, opts.workingDirs, opts.recordedDirs) : agentCall(step, body, opts.workingDirs)
    if ('message' in answer) {
      state.served++
      // Paths the model named in the recorded run's folder are paths in the replay's.
      const message = relocate(answer.message, opts.recordedDirs ?? [], opts.workingDirs[0])
      res.writeHead(200, {'content-type': body.stream ? 'text/event-stream' : 'application/json', 'request-id': `req_replay_${state.served}`})
      return res.end(body.stream ? messageEvents(message) : messageJson(message))
    }
    const [stepId, iteration, item] = key.split('~')
    state.divergences.push({stepId, iteration: Number(iteration), ...(item !== undefined ? {itemIndex: Number(item)} : {}), turn: answer.turn, message: answer.diverged})
    if (opts.live) {
      liveSteps.add(key)
      return forward(req, res, raw, path)
    }
    return sendError(res, 400, 'invalid_request_error', `adw replay: step ${stepId}${iteration !== '0' ? ` (iteration ${iteration})` : ''} ${answer.diverged}`)
  }

  /** Sends the call on to the real API as it came (headers, key, body) and streams the answer back. */
  const forward = async (req: IncomingMessage, res: ServerResponse, raw: Buffer, path: string) => {
    state.live++
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v
    try {
      const upstream = await fetch(`${opts.live!.baseURL.replace(/\/+$/, '')}${path}`, {method: req.method, headers, body: raw.length ? new Uint8Array(raw) : undefined})
      const out: Record<string, string> = {}
      upstream.headers.forEach((v, k) => {
        if (!HOP.has(k) && k !== 'content-encoding') out[k] = v
      })
      res.writeHead(upstream.status, out)
      if (upstream.body) Readable.fromWeb(upstream.body as any).pipe(res)
      else res.end()
    } catch (error) {
      sendError(res, 502, 'api_error', `adw replay: could not reach the real API at ${opts.live!.baseURL}: ${(error as Error).message}`)
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(error => sendError(res, 500, 'api_error', `adw replay: ${(error as Error).message}`))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

/** Headers that belong to one connection, not to the request. */
const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'accept-encoding'])

export type CallAnswer = {message: RecordedMessage} | {turn: number; diverged: string}

/** An agent executor's call: served when its stable parts hash to the recorded call's of that turn. */
function agentCall(step: RecordedStep | undefined, body: any, workingDirs: string[]): CallAnswer {
  const got = stableRequest(body, workingDirs)
  const turn = got.messages.filter(m => (m as {role?: string}).role === 'assistant').length + 1
  if (!step) return {turn, diverged: `diverged at turn ${turn}: expected no call (this step made no recorded call), got one to ${got.model}`}
  if (step.hashes[turn - 1] === requestHash(got)) return {message: step.responses[turn - 1]}
  return {turn, diverged: describeDivergence(turn, step.requests[turn - 1], got)}
}

/** The message with every string's `from` folders written as `to`. */
function relocate<T>(v: T, from: string[], to: string): T {
  const dirs = [...new Set(from)].filter(d => d.length > 1 && d !== to).sort((a, b) => b.length - a.length)
  if (!dirs.length) return v
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return dirs.reduce((s, d) => (s.includes(d) ? s.split(d).join(to) : s), x)
    if (Array.isArray(x)) return x.map(walk)
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]))
    return x
  }
  return walk(v) as T
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, {'content-type': 'application/json', 'x-should-retry': 'false'})
  res.end(JSON.stringify({type: 'error', error: {type, message}}))
}
