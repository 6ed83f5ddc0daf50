import type {ExecutorContext} from '../types.js'

const MASK = '[REDACTED]'

/**
 * A last line of defence: removes the given secrets from everything the step hands to the
 * engine (log messages and details, progress, errors), whatever put them there.
 */
export function redactor(secrets: Array<string | undefined>) {
  const keys = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8)
  const text = (s: string): string => (keys.length ? keys.reduce((acc, k) => acc.split(k).join(MASK), s) : s)
  const value = (v: unknown): unknown => {
    if (v === undefined || !keys.length) return v
    const json = JSON.stringify(v)
    if (json === undefined) return v
    const clean = text(json)
    return clean === json ? v : JSON.parse(clean)
  }
  return {
    text,
    value,
    log:
      (log: ExecutorContext['log']): ExecutorContext['log'] =>
      (level, type, message, details) =>
        log(level, type, text(message), value(details)),
    /** The same error, or a new one without `cause` when its message held a secret. */
    error(error: Error): Error {
      const clean = text(error.message)
      if (clean === error.message && !keys.some(k => String(error.stack ?? '').includes(k))) return error
      return new Error(clean)
    },
  }
}
