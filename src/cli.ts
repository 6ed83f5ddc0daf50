// The CLI's entry: bin/run.js imports it. `npm run build` bundles it with the commands (bin/bundle.mjs).
import {Config, handle, loadHelpClass, run} from '@oclif/core'
import {unknownCommandError} from './base-command.js'
import {type AdwError, formatAdwError} from './errors.js'

/** Runs adw with the command line in process.argv; `dir` locates the package (its package.json). */
export async function main(dir: string): Promise<void> {
  // `adw logs ... | head`: a closed pipe ends the command quietly, as in other Unix tools.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0)
      throw err
    })
  }

  // Linked plugins (adw plugins link) ship JS, never TypeScript for oclif to transpile: without this,
  // oclif warns "linked ESM module cannot be auto-transpiled" on every command.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'

  // oclif's execute() without its two exits that lose output: its error handler calls process.exit
  // at once (and every non-zero exit code, this.exit(2) included, goes through it), and its flush
  // gives up after 10 s. Writes to a pipe are asynchronous: whatever the reader had not taken yet
  // (`adw validate --json | jq` past 64 KiB) was cut, leaving invalid JSON. Drain first, always.
  // An unknown command gets adw's own message (commands print their own errors).
  const argv = process.argv.slice(2)
  try {
    // oclif's help skips the word "help" when it looks for the subject: `adw help --help` would show
    // the root help instead of the help command's own.
    if (argv[0] === 'help' && argv.slice(1).some(a => a === '--help' || a === '-h')) await helpOfHelp(dir)
    else await run(argv, dir)
  } catch (error) {
    const unknown = /^command (\S+) not found$/.exec((error as Error)?.message ?? '')
    if (unknown) {
      process.stderr.write(formatAdwError(await unknownCommand(unknown[1], dir)) + '\n')
      process.exitCode = 2
    }
    await drained()
    if (!unknown) await handle(error instanceof Error ? error : new Error(String(error)))
    return
  }
  await drained()
}

async function helpOfHelp(dir: string): Promise<void> {
  const config = await Config.load(dir)
  const Help = await loadHelpClass(config)
  await new Help(config, config.pjson.oclif.helpOptions).showCommandHelp(config.findCommand('help')!, [])
}

async function unknownCommand(id: string, dir: string): Promise<AdwError> {
  const config = await Config.load(dir)
  return unknownCommandError(id, config.commands.filter(c => !c.hidden).map(c => c.id))
}

/** Resolves once everything written so far to stdout and stderr has reached the OS (a pipe's reader may be slow). */
export function drained(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>(resolve => {
      if (stream.destroyed || !stream.writable) return resolve()
      // Writes complete in order: the callback of an empty write runs after every earlier one.
      stream.write('', () => resolve())
    })
  return Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined)
}
