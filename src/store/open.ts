/**
 * The one way to open a store: a `postgres://` or `postgresql://` URL selects the PostgreSQL store
 * (imported on demand, so a start-up on SQLite never loads `pg`); anything else is an SQLite file.
 */
import {existsSync} from 'node:fs'

import {AdwError} from '../errors.js'
import {openSqliteStore, type OpenStoreOptions} from './sqlite.js'
import {isStoreUrl, maskLocation} from './url.js'
import type {Store} from './types.js'

export type {OpenStoreOptions}
export {isStoreUrl, maskLocation}

export interface OpenOptions extends OpenStoreOptions {
  /**
   * The read commands: a missing SQLite file is a USAGE error (nothing recorded yet), never a new
   * empty database.
   */
  mustExist?: boolean
}

/**
 * Opens (creating and migrating it where needed) the store at `location`. Bad locations are an
 * AdwError (exit 2) that names them.
 */
export async function openStore(location: string, opts: OpenOptions = {}): Promise<Store> {
  if (isStoreUrl(location)) {
    // Loaded here only: a start-up on SQLite never reads pg (test/cli/bundle.test.ts checks).
    const {openPostgresStore} = await import('./postgres/index.js')
    return openPostgresStore(location, opts)
  }
  if (opts.mustExist && !existsSync(location)) {
    throw new AdwError('USAGE', `No database at ${location}: nothing has been recorded there yet.`, {
      suggestions: ['Run a pipeline first (adw run <pipeline>), or point --db / DATABASE_PATH / adw.config.yaml database.path at an existing file'],
    })
  }
  return openSqliteStore(location, opts)
}

/** Whether there is a database at `location` to open (a URL always counts: its server says). */
export function storeExists(location: string): boolean {
  return isStoreUrl(location) || existsSync(location)
}
