/**
 * The Postgres store's change token: a counter bumped by NOTIFY. Every write to adw's tables
 * notifies `adw:<schema>` once per transaction, after it commits (triggers in schema.ts), so a live
 * view polling the token reads a number in memory, not the database. The listening connection is
 * opened on the first call only (what `adw ui` does), and a lost one is reopened at the next call,
 * the counter bumped so the view reloads whatever it missed.
 */
import pg from 'pg'

import type {PgTarget} from './connect.js'

export class ChangeListener {
  private count = 0
  private client: pg.Client | undefined
  private connecting: Promise<void> | undefined
  private closed = false

  constructor(private readonly target: PgTarget) {}

  async token(): Promise<number> {
    if (!this.client && !this.closed) await (this.connecting ??= this.listen().finally(() => (this.connecting = undefined)))
    return this.count
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({connectionString: this.target.connectionString, application_name: 'adw listen', connectionTimeoutMillis: 10_000})
    client.on('notification', () => void this.count++)
    client.on('error', () => {
      // Reopened at the next token(); the views reload then.
      this.client = undefined
      this.count++
      client.end().catch(() => {})
    })
    await client.connect()
    await client.query(`LISTEN "adw:${this.target.schema}"`)
    // The socket must not keep a finished command alive.
    ;(client as unknown as {connection?: {stream?: {unref?: () => void}}}).connection?.stream?.unref?.()
    if (this.closed) return void (await client.end())
    this.client = client
  }

  async close(): Promise<void> {
    this.closed = true
    await this.connecting?.catch(() => {})
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }
}
