import {AdwError} from '../errors.js'
import {openStore} from '../store/open.js'
import type {RunRow, Store} from '../store/types.js'

/** Opens an existing database for the read commands; never creates one. */
export function openExistingStore(location: string): Promise<Store> {
  return openStore(location, {mustExist: true})
}

/** The run, or RUN_NOT_FOUND naming the most recent ids. */
export async function requireRun(store: Store, adwId: string): Promise<RunRow> {
  const run = await store.getRun(adwId)
  if (run) return run
  const recent = await store.recentRunIds(10)
  const known = recent.length > 0 ? `Recent runs: ${recent.join(', ')}.` : 'The database has no runs yet.'
  throw new AdwError('RUN_NOT_FOUND', `No run with adw_id "${adwId}" in ${store.location}. ${known}`, {suggestions: ['adw runs lists every run']})
}
