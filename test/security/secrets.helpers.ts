// The secrets of the redaction corpus and a leak detector that looks for any piece of them.

/** Secrets with the characters that used to slip through: quotes, backslashes, unicode, an astral character, a newline. */
export const S = {
  /** DB_PASS: a name the old rule missed; `"` and `\` made its JSON form differ. */
  dbPass: `pa"ss\\wö$rd'42`,
  /** GITHUB_TOKEN: plain letters and digits. */
  token: 'ghp_7fQ2LmN9xTb4Rk8Vz1Hc3Jd6',
  /** MYSQL_PWD: an astral character (a surrogate pair in UTF-16, \ud834\udd1e in JSON). */
  mysql: 'pwd-Üñí-𝄞-9x',
  /** An input declared `secret: true`. */
  input: 'in"put\\tok-🔑-7q',
  /** ANTHROPIC_API_KEY. */
  apiKey: 'sk-ant-test-KEY-0123456789abcdef',
  /** API_PRIVATE_KEY: a multi-line secret, printed a line at a time. */
  pem: '-----BEGIN TEST KEY-----\nMIIBzQIBAAKBgQDsecretline1\nAoGBAOsecretline2Zq\n-----END TEST KEY-----',
}

/** The environment that holds them. */
export const SECRET_ENV: Record<string, string> = {
  DB_PASS: S.dbPass,
  GITHUB_TOKEN: S.token,
  MYSQL_PWD: S.mysql,
  ANTHROPIC_API_KEY: S.apiKey,
  API_PRIVATE_KEY: S.pem,
}

/** Pieces this long of a secret, in any of the forms searched, count as a leak. */
export const WINDOW = 8

/** How a secret may be written: as is, JSON-escaped, JSON-escaped in ASCII (\uXXXX), twice JSON-escaped. */
export function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1)
  const ascii = json.replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  const twice = JSON.stringify(json).slice(1, -1)
  return [...new Set([secret, json, ascii, twice, ...secret.split('\n')])]
}

/** Every WINDOW-character piece of every form of every secret that `haystack` contains ([] when none). */
export function leaks(haystack: string | Buffer, secrets: string[] = Object.values(S)): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack) : haystack
  const found = new Set<string>()
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      const chars = [...form]
      if (chars.length < WINDOW) {
        if (form.length >= 4 && buf.includes(Buffer.from(form))) found.add(form)
        continue
      }
      for (let i = 0; i + WINDOW <= chars.length; i++) {
        const piece = chars.slice(i, i + WINDOW).join('')
        if (buf.includes(Buffer.from(piece))) found.add(piece)
      }
    }
  }
  return [...found]
}
