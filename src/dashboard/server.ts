import {serve} from '@hono/node-server'
import {spawn} from 'node:child_process'
import type {AddressInfo} from 'node:net'

import {AdwError} from '../errors.js'
import {openExistingStore} from '../history/open.js'
import {createApp} from './app.js'
import {loadAssets} from './assets.js'
import {ChangeWatcher} from './live.js'
import {isLoopback, newToken} from './security.js'

export interface DashboardOptions {
  dbPath: string
  /** @default 4400 (0: any free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Required of every request when set; drawn at random when the host is not loopback. */
  token?: string
  version?: string
}

export interface Dashboard {
  /** Where the page is, with `?token=…` when there is a token. */
  url: string
  /** The server's origin, without the token. */
  origin: string
  token?: string
  close(): Promise<void>
}

/** `adw ui`: serves the dashboard over the store at `dbPath` until closed. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? (isLoopback(host) ? undefined : newToken())
  if (opts.token !== undefined && opts.token.length < 16) {
    throw new AdwError('USAGE', 'The --token is too short: use at least 16 characters (or leave it out for a random one).')
  }
  const assets = loadAssets()
  const store = await openExistingStore(opts.dbPath)
  const watcher = new ChangeWatcher(store)
  const app = createApp({store, dbPath: opts.dbPath, assets, watcher, token, version: opts.version ?? ''})
  let server: ReturnType<typeof serve>
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({fetch: app.fetch, port: opts.port ?? 4400, hostname: host}, () => resolve(s))
      s.once('error', reject)
    })
  } catch (error) {
    watcher.close()
    await store.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new AdwError('USAGE', `Port ${opts.port} on ${host} is already in use.`, {suggestions: [`adw ui --port ${(opts.port ?? 4400) + 1}`]})
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') throw new AdwError('USAGE', `Cannot listen on ${host}:${opts.port} (${code}).`, {suggestions: ['adw ui --host 127.0.0.1']})
    throw error
  }
  const {port} = server.address() as AddressInfo
  const origin = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
  return {
    url: token ? `${origin}/?token=${token}` : `${origin}/`,
    origin,
    token,
    close: async () => {
      watcher.close()
      // Open SSE streams would keep close() waiting forever.
      ;(server as unknown as {closeAllConnections?: () => void}).closeAllConnections?.()
      await new Promise<void>(resolve => server.close(() => resolve()))
      await store.close()
    },
  }
}

/** Opens `url` in the desktop's browser, if there is one; failures are ignored (the URL is printed). */
export function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]]
  try {
    const child = spawn(cmd as string, args as string[], {stdio: 'ignore', detached: true})
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // No browser here: the printed URL is enough.
  }
}
