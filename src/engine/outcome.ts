import {oneLine} from '../ui/format.js'

/**
 * One line on what a step did, for its title in the view and the run's story: the executor's own
 * summary, else what its outputs say — a review's verdict and issue count (`verdict FAIL, 2 issues`),
 * else a script's last line of output. Undefined when there is nothing worth a line.
 */
export function stepOutcome(outputs: Record<string, unknown>, summary: string | undefined, redact: (s: string) => string): string | undefined {
  const line = (s: string) => redact(oneLine(s, 80, true)) || undefined
  if (summary?.trim()) return line(summary)
  if (typeof outputs.verdict === 'string' && outputs.verdict) {
    const issues = Array.isArray(outputs.issues) ? `, ${outputs.issues.length} ${outputs.issues.length === 1 ? 'issue' : 'issues'}` : ''
    return line(`verdict ${outputs.verdict}${issues}`)
  }
  for (const key of ['stdout', 'stderr']) {
    const text = outputs[key]
    if (typeof text === 'string' && text.trim()) return line(text)
  }
  return undefined
}
