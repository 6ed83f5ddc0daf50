/**
 * A local OTLP/HTTP trace receiver on 127.0.0.1 (what Jaeger, Tempo or a Collector would be):
 * accepts POST /v1/traces with the JSON body the OpenTelemetry JS exporter sends (gzip too) and
 * keeps every span, flattened. `status` makes it refuse (e.g. 503); `hang` makes it never answer.
 */
import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'
import {gunzipSync} from 'node:zlib'

export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startMs: number
  endMs: number
  attributes: Record<string, unknown>
  status: {code: number; message?: string}
  events: Array<{name: string; attributes: Record<string, unknown>}>
  resource: Record<string, unknown>
  scope: string
}

export interface OtlpReceiver {
  /** Base endpoint (what OTEL_EXPORTER_OTLP_ENDPOINT takes). */
  url: string
  spans(): ReceivedSpan[]
  /** Requests received, with their headers. */
  requests(): Array<{path: string; headers: IncomingMessage['headers']}>
  close(): Promise<void>
}

export async function startOtlpReceiver(opts: {status?: number; hang?: boolean} = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const requests: Array<{path: string; headers: IncomingMessage['headers']}> = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    requests.push({path: req.url ?? '', headers: req.headers})
    if (opts.hang) return // never answers
    if (opts.status && opts.status >= 300) {
      res.writeHead(opts.status).end()
      return
    }
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end()
      return
    }
    let body = Buffer.concat(chunks)
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
    if (!String(req.headers['content-type']).includes('json')) {
      res.writeHead(415).end('this receiver decodes OTLP/JSON only')
      return
    }
    spans.push(...flatten(JSON.parse(body.toString('utf8'))))
    res.writeHead(200, {'content-type': 'application/json'}).end('{}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    requests: () => [...requests],
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An OTLP AnyValue as a plain value. */
function value(v: any): unknown {
  if (!v || typeof v !== 'object') return v
  if ('stringValue' in v) return v.stringValue
  if ('boolValue' in v) return v.boolValue
  if ('intValue' in v) return Number(typeof v.intValue === 'object' ? v.intValue.low + v.intValue.high * 2 ** 32 : v.intValue)
  if ('doubleValue' in v) return Number(v.doubleValue)
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value)
  return v
}

const attrs = (list: any[] | undefined): Record<string, unknown> => Object.fromEntries((list ?? []).map(a => [a.key, value(a.value)]))

/** Nanoseconds (a decimal string, a number, or {low, high}) → milliseconds. */
function nanosToMs(n: any): number {
  if (typeof n === 'object' && n !== null) return (n.low >>> 0) / 1e6 + n.high * (2 ** 32 / 1e6)
  return Number(BigInt(n) / 1000n) / 1000
}

function flatten(body: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = []
  for (const rs of body.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          ...(s.parentSpanId ? {parentSpanId: s.parentSpanId} : {}),
          name: s.name,
          kind: s.kind,
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: attrs(s.attributes),
          status: {code: s.status?.code ?? 0, ...(s.status?.message ? {message: s.status.message} : {})},
          events: (s.events ?? []).map((e: any) => ({name: e.name, attributes: attrs(e.attributes)})),
          resource,
          scope: ss.scope?.name ?? '',
        })
      }
    }
  }
  return out
}
