import {AdwError} from '../errors.js'

/** `Error: …` and one `Try: …` line per suggestion; no stack, no wrapping. */
export function formatAdwError(error: AdwError): string {
  return [`Error: ${error.message}`, ...error.suggestions.map(s => `Try: ${s}`)].join('\n')
}
