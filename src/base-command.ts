import {Command} from '@oclif/core'
import {AdwError, formatAdwError} from './errors.js'

/**
 * The base of every adw command: a user mistake (AdwError) prints `Error: …` and its suggestions
 * to stderr and exits with its code (2 for usage/validation), without a stack trace; anything else
 * is a bug and says so (stack only with DEBUG set).
 */
export abstract class AdwCommand extends Command {
  protected async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<any> {
    if (err instanceof AdwError) {
      this.logToStderr(formatAdwError(err))
      this.exit(err.exitCode)
    }
    // oclif's own parse errors and this.exit() carry their exit code: keep its handling (exit 2 for flags).
    if (err.oclif || (err as any).code === 'EEXIT') return super.catch(err)
    this.logToStderr(`Error: ${err.message}`)
    this.logToStderr(process.env.DEBUG ? String(err.stack) : 'This is a bug in adw; run again with DEBUG=1 for the stack trace and report it.')
    this.exit(1)
  }
}
