/** One line of the results table. `met` is undefined for plain measurements without a goal. */
export interface Row {
  measure: string
  value: string
  goal?: string
  met?: boolean
}

/** What a workload hands back: table rows plus the raw numbers for the JSON file. */
export interface WorkloadResult {
  id: string
  title: string
  rows: Row[]
  data: Record<string, unknown>
}

export const ms = (x: number, digits = 1): string => `${x.toFixed(digits)} ms`
export const ratio = (x: number): string => `${x.toFixed(2)}×`
export const round = (x: number, digits = 4): number => Number(x.toFixed(digits))

/** A goal row: `value` is shown, `met` says whether `goal` holds. */
export function goal(measure: string, value: string, goalText: string, met: boolean): Row {
  return {measure, value, goal: goalText, met}
}

/** The results as a plain-text table (what `npm run bench` prints). */
export function formatTable(results: WorkloadResult[]): string {
  const lines: string[][] = [['#', 'workload', 'measure', 'median', 'goal', 'met']]
  for (const r of results) {
    r.rows.forEach((row, i) => {
      lines.push([i === 0 ? r.id : '', i === 0 ? r.title : '', row.measure, row.value, row.goal ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO'])
    })
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map(l => l[c].length)))
  const fmt = (l: string[]) => l.map((cell, c) => cell.padEnd(widths[c])).join(' | ').trimEnd()
  return [fmt(lines[0]), widths.map(w => '-'.repeat(w)).join('-|-'), ...lines.slice(1).map(fmt)].join('\n')
}

/** Goals met / missed over every result. */
export function tally(results: WorkloadResult[]): {met: number; missed: number} {
  const rows = results.flatMap(r => r.rows).filter(r => r.met !== undefined)
  return {met: rows.filter(r => r.met).length, missed: rows.filter(r => !r.met).length}
}
