#!/usr/bin/env node
// No static import of anything newer than Node 18 here: an old node on PATH must reach the check below.
import * as nodeModule from 'node:module'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`adw needs Node >= 22.13 (for node:sqlite); this is Node ${process.versions.node} (${process.execPath}).
Try: reinstall adw with npm, which brings its own Node 24 (the "node" dependency): npm install -g adw
Try: or put Node 22.13 or later first on PATH`)
  process.exit(2)
}

// V8's code cache on disk (os.tmpdir()/node-compile-cache): later starts skip compiling oclif and the commands.
nodeModule.enableCompileCache?.()

let cli
try {
  cli = await import('../dist/cli.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error
  console.error('adw is not built: run `npm run build` in the adw package (npm install runs it too)')
  process.exit(2)
}
await cli.main(import.meta.url)
