/**
 * The Postgres store's queries: SQL written with `?` placeholders (as the SQLite store's), numbered
 * once and run as named prepared statements (each connection parses and plans a statement once);
 * transactions on one pooled connection.
 */
import type pg from 'pg'

import {numbered, type Value} from './queries.js'

/** Runs one statement: on the pool, or on a transaction's connection. */
export type Query = <R extends pg.QueryResultRow = any>(sql: string, values?: Value[]) => Promise<pg.QueryResult<R>>

/** For this transaction only: COMMIT waits for the WAL flush (a claim, a decision: what a person acts on). */
export const DURABLE = "SELECT set_config('synchronous_commit', 'on', true)"

export class Db {
  private readonly names = new Map<string, {name: string; text: string}>()

  /** On any pooled connection (its own implicit transaction). */
  readonly query: Query

  constructor(readonly pool: pg.Pool) {
    this.query = this.on(pool)
  }

  /** The prepared statement for `sql` (its name and numbered text). */
  private prepared(sql: string): {name: string; text: string} {
    let p = this.names.get(sql)
    if (!p) {
      p = {name: `adw_${this.names.size + 1}`, text: numbered(sql)}
      this.names.set(sql, p)
    }
    return p
  }

  private on(client: pg.Pool | pg.PoolClient): Query {
    return (sql, values = []) => {
      const {name, text} = this.prepared(sql)
      return client.query({name, text, values})
    }
  }

  /** `fn` inside BEGIN … COMMIT on one connection; ROLLBACK and rethrow on failure. */
  async tx<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn(this.on(client))
      await client.query('COMMIT')
      client.release()
      return result
    } catch (error) {
      // A connection that cannot roll back is broken: the pool drops it rather than lend it again.
      const broken = await client.query('ROLLBACK').then(() => undefined, (e: Error) => e)
      client.release(broken)
      throw error
    }
  }
}
