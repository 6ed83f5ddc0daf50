import {Command} from '@oclif/core'
import {AdwError, formatAdwError} from './errors.js'
import {closest} from './pipeline/suggest.js'

/**
 * The base of every adw command: a user mistake (AdwError, or a flag/argument oclif's parser refused)
 * prints `Error: …` and its suggestions to stderr and exits with its code (2 for usage/validation),
 * without a stack trace; anything else is a bug and says so (stack only with DEBUG set).
 */
export abstract class AdwCommand extends Command {
  protected async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}; parse?: unknown}): Promise<any> {
    if (err instanceof AdwError) {
      this.logToStderr(formatAdwError(err))
      this.exit(err.exitCode)
    }
    if (err.parse !== undefined) {
      this.logToStderr(formatAdwError(parseError(err.message, this.id)))
      this.exit(2)
    }
    // this.exit() carries its exit code: keep oclif's handling.
    if (err.oclif || (err as any).code === 'EEXIT') return super.catch(err)
    this.logToStderr(`Error: ${err.message}`)
    this.logToStderr(process.env.DEBUG ? String(err.stack) : 'This is a bug in adw; run again with DEBUG=1 for the stack trace and report it.')
    this.exit(1)
  }
}

/** oclif's parser message ("The following error occurred: … See more help with --help") as an AdwError. */
export function parseError(message: string, id: string | undefined): AdwError {
  const problems = message
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !/^The following errors? occurred:$/.test(l) && !/^See more help with/.test(l))
  const command = id ? `adw ${id.replaceAll(':', ' ')}` : 'adw'
  // "Missing 1 required arg:" is followed by the args it means, one a line as "name  description".
  const text = problems.reduce((acc, line) => (acc ? `${acc}${acc.endsWith(':') ? ' ' : '; '}` : '') + line.replace(/^(\S+) {2,}(.+)$/, '$1 ($2)'), '')
  return new AdwError('USAGE', text, {suggestions: [`${command} --help`]})
}

/** `adw foo`: the command does not exist; names the close ones. `ids` are the visible command ids. */
export function unknownCommandError(id: string, ids: string[]): AdwError {
  const name = id.replaceAll(':', ' ')
  const near = closest(name, ids.map(i => i.replaceAll(':', ' ')))
  return new AdwError('USAGE', `Unknown command "${name}"${near.length ? `. Did you mean ${near.map(n => `"${n}"`).join(' or ')}?` : ''}`, {suggestions: ['adw help  (every command)']})
}
