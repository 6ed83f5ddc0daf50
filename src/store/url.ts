/** Store locations that are URLs (a database server), not SQLite files. Kept tiny: config and start-up read it. */

/** A location that names a PostgreSQL database rather than an SQLite file. */
export function isStoreUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/** `postgres://user:secret@host/db` as `postgres://user:***@host/db`: what a message may show. */
export function maskLocation(location: string): string {
  return isStoreUrl(location) ? location.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@') : location
}
