/**
 * A fake Anthropic Messages API on 127.0.0.1, for tests and benchmarks that must not touch the network.
 * The real `@anthropic-ai/sdk` talks to it over HTTP (`baseURL: fake.url`).
 *
 * ```ts
 * const fake = await startFakeAnthropic([reply.tool('Write', {file_path: 'a.txt', content: 'hi'}), reply.text('Done')])
 * // ... run the SDK with {apiKey: 'test-key', baseURL: fake.url}
 * fake.requests[1].body.messages   // the full conversation the client re-sent
 * await fake.close()
 * ```
 *
 * Script: a queue of replies (one per request, in order; `enqueue` adds more), or a function of the
 * request (`respond`), which wins over the queue while set. A request with nothing scripted gets a
 * non-retryable 500 naming the request number, so a test fails fast and legibly.
 *
 * Replies: SSE streaming when the request has `stream: true` (the exact event sequence of the real
 * API: message_start, content_block_start/delta/stop with a ping, message_delta, message_stop), a
 * JSON message otherwise; errors with `request-id`; `hang` streams a little then never ends.
 *
 * Standalone: `node --import tsx test/helpers/fake-anthropic.ts --script replies.json [--port N]
 * [--record requests.jsonl]` prints its URL on stdout, then serves until SIGTERM/SIGINT.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {appendFileSync, readFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import {messageBody, sseEvents} from './fake-anthropic-sse.js'

export {reply} from './fake-anthropic-sse.js'
export type {FakeReply, FakeMessageReply, FakeErrorReply, FakeHangReply, FakeToolUse, FakeUsage} from './fake-anthropic-sse.js'
import type {FakeReply} from './fake-anthropic-sse.js'

/** One request the fake received, as recorded (header names lower-cased). */
export interface FakeRequest {
  /** 0-based position among every request received. */
  index: number
  method: string
  path: string
  headers: Record<string, string>
  /** The parsed JSON body (`undefined` if not JSON). */
  body: any
  /** `body.stream === true`. */
  stream: boolean
}

export type FakeResponder = (req: FakeRequest) => FakeReply | Promise<FakeReply>

export interface FakeAnthropic {
  /** Base URL for the SDK (`http://127.0.0.1:PORT`). */
  url: string
  port: number
  /** Every request received, in order. */
  requests: FakeRequest[]
  /** Only the POST /v1/messages requests. */
  messageRequests(): FakeRequest[]
  /** Adds replies at the end of the queue. */
  enqueue(...replies: FakeReply[]): void
  /** Answers every request with `fn` (the queue is ignored while set); `undefined` restores the queue. */
  respond(fn: FakeResponder | undefined): void
  /** Replies still queued. */
  pending(): number
  close(): Promise<void>
}

/** Starts the fake on 127.0.0.1 and a random port (or `opts.port`). */
export async function startFakeAnthropic(
  script: FakeReply[] | FakeResponder = [],
  opts: {port?: number; onRequest?: (req: FakeRequest) => void} = {},
): Promise<FakeAnthropic> {
  const queue: FakeReply[] = Array.isArray(script) ? [...script] : []
  let responder: FakeResponder | undefined = Array.isArray(script) ? undefined : script
  const requests: FakeRequest[] = []

  const server = createServer((req, res) => {
    void handle(req, res).catch(error => {
      if (!res.headersSent) res.writeHead(500, {'content-type': 'application/json', 'x-should-retry': 'false'})
      res.end(JSON.stringify({type: 'error', error: {type: 'api_error', message: `fake-anthropic: ${String(error?.message ?? error)}`}}))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: any
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = undefined
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v ?? '')
    const path = (req.url ?? '/').split('?')[0]
    const record: FakeRequest = {index: requests.length, method: req.method ?? 'GET', path, headers, body, stream: body?.stream === true}
    requests.push(record)
    opts.onRequest?.(record)

    if (record.method !== 'POST' || !/\/v1\/messages$/.test(path)) {
      return sendError(res, record, {type: 'error', status: 404, message: `fake-anthropic: no route ${record.method} ${path}`})
    }
    const next = responder ? await responder(record) : queue.shift()
    if (!next) {
      return sendError(res, record, {type: 'error', status: 500, retry: false, message: `fake-anthropic: no scripted reply left for request #${record.index}`})
    }
    if (next.type === 'error') return sendError(res, record, next)
    if (next.type === 'hang') return hang(res, record, next.text)
    const model = next.model ?? body?.model ?? 'claude-fake'
    if (!record.stream) {
      res.writeHead(200, {'content-type': 'application/json', 'request-id': requestId(record)})
      res.end(JSON.stringify(messageBody(next, model, record.index)))
      return
    }
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': requestId(record)})
    for (const chunk of sseEvents(next, model, record.index)) {
      if (res.destroyed) return
      res.write(chunk)
      if (next.delayMs) await new Promise(r => setTimeout(r, next.delayMs))
    }
    res.end()
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    messageRequests: () => requests.filter(r => r.method === 'POST' && /\/v1\/messages$/.test(r.path)),
    enqueue: (...replies) => void queue.push(...replies),
    respond: fn => void (responder = fn),
    pending: () => queue.length,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function requestId(req: FakeRequest): string {
  return `req_fake_${String(req.index).padStart(4, '0')}`
}

function sendError(res: ServerResponse, req: FakeRequest, e: Extract<FakeReply, {type: 'error'}>): void {
  const errorType = e.errorType ?? defaultErrorType(e.status)
  const id = e.requestId ?? requestId(req)
  const headers: Record<string, string> = {'content-type': 'application/json', 'request-id': id, ...e.headers}
  // Keeps the SDK's retry back-off short in tests; a real server sends `retry-after` in seconds.
  if (e.retry === false) headers['x-should-retry'] = 'false'
  else if (e.status === 429 || e.status >= 500) headers['retry-after-ms'] ??= '5'
  res.writeHead(e.status, headers)
  res.end(JSON.stringify({type: 'error', error: {type: errorType, message: e.message ?? errorType}, request_id: id}))
}

function defaultErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
    413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error',
  }
  return types[status] ?? 'api_error'
}

/** Starts a stream the way a slow model does, then sends nothing more until the client goes away. */
function hang(res: ServerResponse, req: FakeRequest, text = 'Working on it'): void {
  res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': requestId(req)})
  const events = sseEvents({text}, req.body?.model ?? 'claude-fake', req.index)
  // message_start, content_block_start, ping, first text delta: then silence.
  for (const chunk of events.slice(0, 4)) res.write(chunk)
}

/** Text of the first user message (the step's prompt): handy for routing in a `respond` function. */
export function promptOf(req: FakeRequest): string {
  const first = req.body?.messages?.[0]
  return contentText(first?.content)
}

/** Text of the last message of the conversation (a user prompt or a tool result). */
export function lastMessageText(req: FakeRequest): string {
  const msgs = req.body?.messages ?? []
  return contentText(msgs[msgs.length - 1]?.content)
}

/** The `system` prompt as one string. */
export function systemOf(req: FakeRequest): string {
  return contentText(req.body?.system)
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((b: any) => (b?.type === 'text' ? b.text : b?.type === 'tool_result' ? contentText(b.content) : ''))
    .join('\n')
}

/**
 * A responder for multi-step runs: each request goes to the first route whose key occurs in the
 * request's prompt (its first user message), and gets that route's next reply. Every turn of a
 * step's conversation carries the same prompt, so one list per step holds its turns in order.
 * `left()` tells which replies were never used.
 */
export function routeByPrompt(routes: Record<string, FakeReply[]>): FakeResponder & {left(): Record<string, number>} {
  const queues = new Map(Object.entries(routes).map(([k, v]) => [k, [...v]]))
  const responder = (req: FakeRequest): FakeReply => {
    const prompt = promptOf(req)
    const key = [...queues.keys()].find(k => prompt.includes(k))
    const next = key === undefined ? undefined : queues.get(key)!.shift()
    if (next) return next
    const why = key === undefined ? `no route matches the prompt "${prompt.slice(0, 60)}"` : `route "${key}" has no reply left`
    return {type: 'error', status: 500, retry: false, message: `fake-anthropic: ${why} (request #${req.index})`}
  }
  return Object.assign(responder, {left: () => Object.fromEntries([...queues].filter(([, q]) => q.length).map(([k, q]) => [k, q.length]))})
}

// Standalone process: prints the URL, serves the script file's replies in order.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name)
    return i > 0 ? process.argv[i + 1] : undefined
  }
  const scriptFile = arg('--script')
  const parsed = scriptFile ? JSON.parse(readFileSync(scriptFile, 'utf8')) : []
  const replies: FakeReply[] = Array.isArray(parsed) ? parsed : parsed.replies ?? []
  const recordFile = arg('--record')
  const fake = await startFakeAnthropic(replies, {
    port: arg('--port') ? Number(arg('--port')) : undefined,
    onRequest: recordFile ? r => appendFileSync(recordFile, JSON.stringify(r) + '\n') : undefined,
  })
  process.stdout.write(fake.url + '\n')
  const stop = () => void fake.close().then(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
