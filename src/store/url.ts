/**
 * Store locations that are URLs (a database server), not SQLite files: told apart without loading a
 * driver (config and start-up read this). A URL is only ever shown with its password masked
 * (`postgres://user:***@host/db`): in messages, logs and the database alike.
 */

/** A location that names a PostgreSQL database rather than an SQLite file. */
export function isStoreUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim())
}

/**
 * `postgres://user:secret@host/db` as `postgres://user:***@host/db` (a `password=` parameter too):
 * what a message may show. Text that does not parse as a URL has everything between the user name
 * and the last `@` masked, so a malformed URL with a password in it is never echoed. A file path is
 * returned as it is.
 */
export function maskLocation(location: string): string {
  if (!isStoreUrl(location)) return location
  let parsed: URL
  try {
    parsed = new URL(location.trim())
  } catch {
    return location.trim().replace(/^([a-z]+:\/\/[^:/@]*):.*@/is, '$1:***@')
  }
  if (parsed.password) parsed.password = '***'
  for (const key of [...parsed.searchParams.keys()]) if (/^(password|sslpassword)$/i.test(key)) parsed.searchParams.set(key, '***')
  return parsed.toString()
}
