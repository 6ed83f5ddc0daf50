// The CLI's entry: bin/run.js imports it. `npm run build` bundles it with the commands (bin/bundle.mjs).
import {execute} from '@oclif/core'

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

  await execute({dir})
}
