// Writes oclif.manifest.json from dist/ (what `oclif manifest` does, without the oclif CLI).
// Run by `npm run build` after tsc, so the manifest is never older than dist/: with it oclif
// starts without importing every command (adw --version ~390 → ~120 ms); a stale one would hide
// new commands. A failure removes the manifest, so oclif falls back to discovering commands.
import {Plugin} from '@oclif/core'
import {rmSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const file = join(root, 'oclif.manifest.json')
rmSync(file, {force: true})
try {
  const plugin = new Plugin({root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
  await plugin.load()
  writeFileSync(file, JSON.stringify(plugin.manifest, null, 2) + '\n')
} catch (error) {
  rmSync(file, {force: true})
  console.error(`oclif manifest not written (commands will be discovered at start-up): ${error?.message ?? error}`)
  process.exitCode = 1
}
