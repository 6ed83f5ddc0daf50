const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i

/**
 * Masks the values of secret-looking environment variables (ANTHROPIC_API_KEY, GITHUB_TOKEN, …)
 * wherever they appear, so a step that echoes one cannot put it in the database or on screen.
 */
export function secretRedactor(env: Record<string, string | undefined>): ((s: string) => string) & {none?: boolean} {
  const secrets = Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && typeof v === 'string' && v.length >= 6)
    .map(([, v]) => v as string)
    .sort((a, b) => b.length - a.length)
  if (secrets.length === 0) return Object.assign((s: string) => s, {none: true})
  return s => {
    for (const secret of secrets) if (s.includes(secret)) s = s.replaceAll(secret, '***')
    return s
  }
}
