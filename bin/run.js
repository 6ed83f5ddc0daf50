#!/usr/bin/env node
import {enableCompileCache} from 'node:module'

// V8's code cache on disk (os.tmpdir()/node-compile-cache): later starts skip compiling oclif and the commands.
enableCompileCache?.()
const {execute} = await import('@oclif/core')

// `adw logs ... | head`: a closed pipe ends the command quietly, as in other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

// Linked plugins (adw plugins link) ship JS, never TypeScript for oclif to transpile: without this,
// oclif warns "linked ESM module cannot be auto-transpiled" on every command.
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'

await execute({dir: import.meta.url})
