import {AdwError, ValidationError, type Diagnostic} from '../errors.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import {loadPipeline} from './load.js'

/** The outcome of validating one pipeline file. */
export interface FileReport {
  file: string
  valid: boolean
  diagnostics: Diagnostic[]
  /** A problem that is not located in the file (e.g. it does not exist). */
  error?: string
}

/** Loads each file with every check `adw run` does; never throws for user mistakes. */
export async function validatePipelines(files: string[], opts: {registry: ExecutorRegistry}): Promise<{files: FileReport[]}> {
  const reports: FileReport[] = []
  for (const file of files) {
    try {
      await loadPipeline(file, opts)
      reports.push({file, valid: true, diagnostics: []})
    } catch (error) {
      if (error instanceof ValidationError) reports.push({file, valid: false, diagnostics: error.diagnostics})
      else if (error instanceof AdwError) reports.push({file, valid: false, diagnostics: [], error: error.message})
      else throw error
    }
  }
  return {files: reports}
}
