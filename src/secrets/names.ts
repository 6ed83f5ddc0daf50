/**
 * Which environment variables hold secrets. A name is split into words (`_`, `-`, `.` and camelCase
 * boundaries: `DB_PASS` → DB, PASS; `apiKey` → API, KEY); it is secret when one word is in WORDS, or
 * when the whole name contains one of INSIDE (`GITHUBTOKEN`, `MYAPIKEY`). README § Security lists both.
 */
// Only words that INSIDE does not already find anywhere in a name (TOKEN, SECRET, PASSWORD, … need no entry here).
const WORDS = new Set(['KEY', 'KEYS', 'PASS', 'PWD', 'CREDS', 'AUTH', 'DSN', 'COOKIE', 'SALT', 'PAT'])
const INSIDE = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|APIKEY|ACCESSKEY/i
/** The shell's current and previous directory, and the ssh agent's socket path: not secrets. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD', 'SSH_AUTH_SOCK'])

/** Values shorter than this are not masked in free text: "true" or "1234" would blank half a log. */
export const MIN_SECRET_LENGTH = 6

/** The words of a variable name, upper-cased. */
export function nameWords(name: string): string[] {
  return name
    .split(/[^A-Za-z0-9]+/)
    .flatMap(part => part.split(/(?<=[a-z0-9])(?=[A-Z])/))
    .filter(Boolean)
    .map(w => w.toUpperCase())
}

/** Whether a variable of this name holds a secret (`ANTHROPIC_API_KEY`, `DB_PASS`, `SENTRY_DSN`, ...). */
export function isSecretName(name: string): boolean {
  if (NOT_SECRET.has(name.toUpperCase())) return false
  return INSIDE.test(name) || nameWords(name).some(w => WORDS.has(w))
}

/** A URL with credentials, anywhere in a value (`jdbc:postgresql://app:pw@db`, a list of hosts): group 1 is the password. */
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/gi

/** The password of every URL with credentials in a value (`postgres://user:pw@host/db`), as written and decoded. */
export function urlPasswords(value: string): string[] {
  const out: string[] = []
  for (const [, raw] of value.matchAll(URL_CREDENTIALS)) {
    out.push(raw)
    try {
      const decoded = decodeURIComponent(raw)
      if (decoded !== raw) out.push(decoded)
    } catch {
      // not percent-encoded: the raw form is the secret
    }
  }
  return out
}

/**
 * The secret values of an environment: every value of a secret-looking name, and the password of
 * any URL with credentials (`DATABASE_URL=postgres://app:pw@db/app`), however short or long.
 */
export function secretsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string' || !value) continue
    if (isSecretName(name)) out.push(value)
    out.push(...urlPasswords(value))
  }
  return out
}
