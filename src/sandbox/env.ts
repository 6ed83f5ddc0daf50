/**
 * The environment a sandboxed command starts with: an allow-list, never the whole of adw's. adw's
 * own environment holds the API key and whatever the user exported; a project's `.env` holds its
 * secrets. None of it reaches the command unless its name is listed here.
 */

/** Names passed through as they are, when set. */
const PASS = ['PATH', 'LANG', 'LANGUAGE', 'TERM', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'CI', 'TRACEPARENT', 'TRACESTATE']
/** Locale variables (LC_ALL, LC_CTYPE, ...) pass too: they carry no secrets and tools print garbage without them. */
const PASS_PREFIX = 'LC_'

/** The names a sandboxed command may inherit, for the README and error messages. */
export const PASSED_ENV = [...PASS, `${PASS_PREFIX}*`]

/**
 * Builds the sandbox's environment: the allow-listed names from `env`, then `set` (values the step
 * or adw chose, e.g. the step's own `env:`), then HOME and TMPDIR pointing at the private dirs.
 */
export function sandboxEnv(env: Readonly<Record<string, string | undefined>>, set: Record<string, string>, home: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (PASS.includes(k) || k.startsWith(PASS_PREFIX))) out[k] = v
  }
  Object.assign(out, set)
  out.HOME = home
  out.TMPDIR = '/tmp'
  return out
}
