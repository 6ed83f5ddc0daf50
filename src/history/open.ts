import {existsSync} from 'node:fs'

import {AdwError} from '../errors.js'
import {openStore} from '../store/sqlite.js'
import type {RunRow, Store} from '../store/types.js'

/** Opens an existing database for the read commands; never creates one. */
export function openExistingStore(dbPath: string): Store {
  if (!existsSync(dbPath)) {
    throw new AdwError('USAGE', `No database at ${dbPath}: nothing has been recorded there yet.`, {
      suggestions: ['Run a pipeline first (adw run <pipeline>), or point --db / DATABASE_PATH / adw.config.yaml database.path at an existing file'],
    })
  }
  return openStore(dbPath)
}

/** The run, or RUN_NOT_FOUND naming the most recent ids. */
export function requireRun(store: Store, adwId: string): RunRow {
  const run = store.getRun(adwId)
  if (run) return run
  const recent = store.recentRunIds(10)
  const known = recent.length > 0 ? `Recent runs: ${recent.join(', ')}.` : 'The database has no runs yet.'
  throw new AdwError('RUN_NOT_FOUND', `No run with adw_id "${adwId}" in ${store.path}. ${known}`, {suggestions: ['adw runs lists every run']})
}
