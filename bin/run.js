#!/usr/bin/env node
import {execute} from '@oclif/core'

// `adw logs ... | head`: a closed pipe ends the command quietly, as in other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

await execute({dir: import.meta.url})
