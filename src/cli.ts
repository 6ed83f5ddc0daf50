// The CLI's entry: bin/run.js imports it. `npm run build` bundles it with the commands (bin/bundle.mjs).
import {handle, run} from '@oclif/core'

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
  try {
    await run(process.argv.slice(2), dir)
  } catch (error) {
    await drained()
    await handle(error instanceof Error ? error : new Error(String(error)))
    return
  }
  await drained()
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
