/**
 * A small, named set of errors. Every user mistake becomes an AdwError with a stable code,
 * an exit code and suggestions; the CLI prints it without a stack trace.
 */
export type ErrorCode =
  | 'PIPELINE_INVALID'
  | 'PIPELINE_NOT_FOUND'
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'RUN_EXISTS'
  | 'RUN_NOT_FOUND'
  | 'RUN_LOCKED'
  | 'PREFLIGHT'
  | 'EXECUTOR_NOT_FOUND'
  | 'SCAFFOLD'
  | 'DATABASE_INVALID'
  | 'PRICE_UNKNOWN'
  | 'APPROVAL_INVALID'
  | 'NOT_A_GIT_REPO'
  | 'WORKTREE'
  | 'EXPORT_FAILED'
  | 'SUITE_INVALID'

export class AdwError extends Error {
  readonly code: ErrorCode
  readonly exitCode: number
  readonly suggestions: string[]

  constructor(code: ErrorCode, message: string, opts: {exitCode?: number; suggestions?: string[]; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'AdwError'
    this.code = code
    this.exitCode = opts.exitCode ?? 2
    this.suggestions = opts.suggestions ?? []
  }
}

/** How the CLI shows an AdwError: `Error: …` and one `Try: …` line per suggestion; no stack, no wrapping. */
export function formatAdwError(error: AdwError): string {
  return [`Error: ${error.message}`, ...error.suggestions.map(s => `Try: ${s}`)].join('\n')
}

/** One problem in a pipeline or config file, located at 1-based line and column. */
export interface Diagnostic {
  file: string
  line: number
  col: number
  message: string
  /** The source line the problem is on, for the caret display. */
  sourceLine?: string
}

/** Every problem found in a pipeline file, reported at once (the message prints the first MAX_PRINTED_DIAGNOSTICS). */
export class ValidationError extends AdwError {
  readonly diagnostics: Diagnostic[]
  constructor(diagnostics: Diagnostic[]) {
    super('PIPELINE_INVALID', formatDiagnostics(diagnostics, {more: pipelineHint}))
    this.diagnostics = diagnostics
  }
}

/** Where to see every problem of a pipeline file that has more than are printed. */
export const pipelineHint = (file: string): string => `adw validate ${file} --json lists every one`

/**
 * At most this many problems are printed for one file; a line then says how many more there are.
 * Thousands of located messages help nobody, and printing them cost more than finding them.
 */
export const MAX_PRINTED_DIAGNOSTICS = 50

/** Source lines longer than this are cut around the column (a minified line would flood the terminal). */
const SOURCE_LINE_WIDTH = 200

/**
 * `FILE:LINE:COL: message`, then the source line and a caret under the column; past `limit`
 * problems, one `… and N more problems in FILE (T in all; <more(FILE)>)` line instead.
 */
export function formatDiagnostics(diagnostics: Diagnostic[], opts: {limit?: number; more?: (file: string) => string} = {}): string {
  const shown = diagnostics.slice(0, opts.limit ?? MAX_PRINTED_DIAGNOSTICS)
  const lines = shown.map(d => {
    const head = `${d.file}:${d.line}:${d.col}: ${d.message}`
    if (d.sourceLine === undefined) return head
    const gutter = `${d.line} | `
    // A long line (minified, generated) is shown as the SOURCE_LINE_WIDTH characters up to the column.
    const from = d.sourceLine.length <= SOURCE_LINE_WIDTH ? 0 : Math.max(0, d.col - SOURCE_LINE_WIDTH)
    const text = from === 0 && d.sourceLine.length <= SOURCE_LINE_WIDTH ? d.sourceLine : `${d.sourceLine.slice(from, from + SOURCE_LINE_WIDTH)}…`
    return `${head}\n  ${gutter}${text}\n  ${' '.repeat(gutter.length + Math.max(0, d.col - 1 - from))}^`
  })
  const more = diagnostics.length - shown.length
  if (more > 0) {
    const file = diagnostics[0].file
    const hint = opts.more ? `; ${opts.more(file)}` : ''
    lines.push(`… and ${more} more problem${more === 1 ? '' : 's'} in ${file} (${diagnostics.length} in all${hint})`)
  }
  return lines.join('\n')
}
