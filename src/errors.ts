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

/** Every problem found in a file, reported at once. */
export class ValidationError extends AdwError {
  readonly diagnostics: Diagnostic[]
  constructor(diagnostics: Diagnostic[]) {
    super('PIPELINE_INVALID', formatDiagnostics(diagnostics))
    this.diagnostics = diagnostics
  }
}

/** `FILE:LINE:COL: message`, then the source line and a caret under the column. */
export function formatDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map(d => {
      const head = `${d.file}:${d.line}:${d.col}: ${d.message}`
      if (d.sourceLine === undefined) return head
      const gutter = `${d.line} | `
      return `${head}\n  ${gutter}${d.sourceLine}\n  ${' '.repeat(gutter.length + Math.max(0, d.col - 1))}^`
    })
    .join('\n')
}
