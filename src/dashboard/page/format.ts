// Formats shared with the terminal (src/history/format.ts), plus the page's own.
export {count, duration, truncate} from '../../history/format.js'

export const money = (usd: number): string => (usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`)

/** "14:03:22" today, "Nov 28 14:03" otherwise, in local time. */
export function when(iso: string): string {
  const d = new Date(iso)
  const today = new Date().toDateString() === d.toDateString()
  return today ? d.toLocaleTimeString([], {hour12: false}) : `${d.toLocaleDateString([], {month: 'short', day: 'numeric'})} ${d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', hour12: false})}`
}

export const clock = (iso: string): string => {
  const d = new Date(iso)
  return `${d.toLocaleTimeString([], {hour12: false})}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

/** Elapsed so far for a running thing, else its recorded duration. */
export function elapsed(startedAt: string, durationMs: number | null, running: boolean): number | null {
  return running ? Math.max(0, Date.now() - Date.parse(startedAt)) : durationMs
}
