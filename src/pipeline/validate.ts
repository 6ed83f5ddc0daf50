import {AdwError, ValidationError, type Diagnostic} from '../errors.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import {validateSummary} from './describe.js'
import {loadPipeline} from './load.js'

/** The outcome of validating one pipeline file. */
export interface FileReport {
  file: string
  valid: boolean
  /** How many problems: diagnostics.length, or 1 for `error`. */
  problems: number
  /** Every located problem (the text output prints the first MAX_PRINTED_DIAGNOSTICS). */
  diagnostics: Diagnostic[]
  /** A problem that is not located in the file (it does not exist, is a directory, is too large). */
  error?: string
  /** What to do about `error`. */
  suggestions?: string[]
  /** How a valid pipeline runs, when it uses needs, forEach or retry: `6 steps; lint, plan start at once, up to 4 at once; retry: build`. */
  summary?: string
}

/** Every file's report, and the problems of all files together. */
export interface ValidationReport {
  files: FileReport[]
  problems: number
}

/** Loads each file with every check `adw run` does; never throws for user mistakes. */
export async function validatePipelines(files: string[], opts: {registry: ExecutorRegistry}): Promise<ValidationReport> {
  const reports: FileReport[] = []
  for (const file of files) {
    try {
      const pipeline = await loadPipeline(file, opts)
      const summary = validateSummary(pipeline)
      reports.push({file, valid: true, problems: 0, diagnostics: [], ...(summary ? {summary} : {})})
    } catch (error) {
      if (error instanceof ValidationError) reports.push({file, valid: false, problems: error.diagnostics.length, diagnostics: error.diagnostics})
      else if (error instanceof AdwError) reports.push({file, valid: false, problems: 1, diagnostics: [], error: error.message, ...(error.suggestions.length ? {suggestions: error.suggestions} : {})})
      else throw error
    }
  }
  return {files: reports, problems: reports.reduce((n, r) => n + r.problems, 0)}
}
