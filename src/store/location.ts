/**
 * Where a store lives, told apart without loading a driver: a `postgres://` / `postgresql://` URL is
 * the Postgres store, anything else an SQLite file. The URL is only ever shown with its password
 * masked (`postgres://user:***@host/db`), in messages, logs and the database alike.
 */

const SCHEME = /^postgres(?:ql)?:\/\//i

/** Whether `location` names a PostgreSQL database (a URL), not an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return SCHEME.test(location.trim())
}

/**
 * The URL with its password replaced by `***` (and a `password=` query parameter too). Text that
 * does not parse as a URL has everything between `://` and the last `@` before the host masked
 * after the user name, so a malformed URL with a password in it is never echoed.
 */
export function maskUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    return url.trim().replace(/^([a-z]+:\/\/[^:/@]*):.*@/is, '$1:***@')
  }
  if (parsed.password) parsed.password = '***'
  for (const key of [...parsed.searchParams.keys()]) if (/^(password|sslpassword)$/i.test(key)) parsed.searchParams.set(key, '***')
  // URL keeps `***` as is in the password (no percent-encoding of `*`).
  return parsed.toString()
}
