// Stryker's buildCommand for modules whose tests run the CLI (test/mutation/modules.mjs `build: true`), run in
// its sandbox: `npm run build`, then away with the node_modules/.cache folder the build leaves there (the dashboard
// page's tsbuildinfo). Stryker links the real node_modules into the sandbox only after the build, and a folder of
// that name already there stops the link, and with it every test ("node_modules/node/bin/node: not found").
import {spawnSync} from 'node:child_process'
import {lstatSync, readdirSync, rmdirSync, rmSync} from 'node:fs'

const build = spawnSync('npm', ['run', 'build'], {stdio: 'inherit'})
if (build.status !== 0) process.exit(build.status ?? 1)
try {
  if (lstatSync('node_modules').isDirectory()) {
    rmSync('node_modules/.cache', {recursive: true, force: true})
    if (readdirSync('node_modules').length === 0) rmdirSync('node_modules')
  }
} catch {
  // no node_modules folder: nothing in the way
}
