import {request} from 'node:http'
import {join} from 'node:path'

import {startDashboard, type Dashboard, type DashboardOptions} from '../../src/dashboard/server.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {seedHistory} from './seed.js'

/** A temp project with a seeded history database and a dashboard serving it on a free port. */
export async function seeded(runs = 10, opts: Partial<DashboardOptions> = {}): Promise<{dir: string; db: string; ids: string[]; ui: Dashboard; done: () => Promise<void>}> {
  const dir = tmpDir({}, 'adw-ui-')
  const db = join(dir, 'orchestrator.db')
  const ids = await seedHistory(db, {runs, days: 5, workingDir: dir})
  const ui = await startDashboard({dbPath: db, port: 0, ...opts})
  return {dir, db, ids, ui, done: async () => (await ui.close(), rmDir(dir))}
}

/** GET (or another method) with the JSON body parsed. */
export async function call(base: string, path: string, init: RequestInit = {}): Promise<{status: number; body: any; headers: Headers}> {
  const res = await fetch(base + path, {redirect: 'manual', ...init})
  const text = await res.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON (the page, a redirect)
  }
  return {status: res.status, body, headers: res.headers}
}

/** A raw HTTP request with headers fetch will not send as given (Host). */
export function raw(origin: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<{status: number; body: string}> {
  const url = new URL(path, origin)
  return new Promise((resolve, reject) => {
    const req = request({host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers}, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', c => (body += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Reads SSE events from a stream until `until` says stop or `ms` pass (then throws, naming what came). */
export async function sseEvents(url: string, until: (events: Array<{event: string; data: any}>) => boolean, opts: {ms?: number; headers?: Record<string, string>; onOpen?: () => void} = {}): Promise<Array<{event: string; data: any}>> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), opts.ms ?? 10_000)
  const events: Array<{event: string; data: any}> = []
  try {
    const res = await fetch(url, {signal: abort.signal, headers: opts.headers})
    if (res.headers.get('content-type') !== 'text/event-stream') throw new Error(`not an event stream: ${res.status} ${await res.text()}`)
    opts.onOpen?.()
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const {value, done} = await reader.read()
      if (done) break
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = chunk.match(/^event: (.*)$/m)?.[1]
        const data = chunk.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n')
        if (event) events.push({event, data: JSON.parse(data)})
      }
      if (until(events)) return events
    }
    throw new Error('stream ended')
  } catch (error) {
    if (abort.signal.aborted) throw new Error(`no matching event within ${opts.ms ?? 10_000} ms; got: ${events.map(e => e.event).join(', ') || 'nothing'}`)
    throw error
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}
