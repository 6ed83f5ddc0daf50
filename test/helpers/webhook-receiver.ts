/**
 * A webhook receiver on 127.0.0.1 (what Slack or a team's service would be): records every request
 * (path, headers, raw body), and answers with the scripted statuses in order (then 200), or never
 * (`hang`).
 */
import {createServer, type IncomingHttpHeaders} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
  json: any
}

export interface WebhookReceiver {
  /** Base URL; any path is accepted. */
  url: string
  received(): Received[]
  close(): Promise<void>
}

export async function startWebhookReceiver(opts: {statuses?: number[]; hang?: boolean} = {}): Promise<WebhookReceiver> {
  const received: Received[] = []
  const statuses = [...(opts.statuses ?? [])]
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      json = undefined
    }
    received.push({path: req.url ?? '', headers: req.headers, body, json})
    if (opts.hang) return
    res.writeHead(statuses.shift() ?? 200, {'content-type': 'text/plain'}).end('ok')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => [...received],
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
