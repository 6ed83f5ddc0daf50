/** Edit distance between two strings (insertions, deletions, substitutions, and swapping two neighbours: biuld → build is 1). */
export function levenshtein(a: string, b: string): number {
  let before: number[] = []
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1)
    }
    before = prev
    prev = cur
  }
  return prev[b.length]
}

/** The candidates close to `name` (case-insensitive, at most a third of its length off), best first. */
export function closest(name: string, candidates: string[], max = 3): string[] {
  const limit = Math.max(1, Math.floor(name.length / 3))
  return candidates
    .map(c => ({c, d: levenshtein(name.toLowerCase(), c.toLowerCase())}))
    .filter(x => (x.d <= limit && x.d < name.length) || (x.c.toLowerCase().startsWith(name.toLowerCase()) && name.length >= 2))
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map(x => x.c)
}
