#!/usr/bin/env node
import {enableCompileCache} from 'node:module'

// V8's code cache on disk (os.tmpdir()/node-compile-cache): later starts skip compiling oclif and the commands.
enableCompileCache?.()

let cli
try {
  cli = await import('../dist/cli.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error
  console.error('adw is not built: run `npm run build` in the adw package (npm install runs it too)')
  process.exit(2)
}
await cli.main(import.meta.url)
