// Bundles the dashboard page (src/dashboard/page, preact + uPlot + marked + DOMPurify) into
// dist/dashboard/page/: index.html, app.js, app.css. `npm run build` runs it; the files ship in the
// package, so `adw ui` needs neither a CDN nor the network.
import {build} from 'esbuild'
import {copyFileSync, mkdirSync, rmSync} from 'node:fs'
import {gzipSync} from 'node:zlib'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src/dashboard/page')
const out = join(root, 'dist/dashboard/page')
const started = Date.now()

rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})
const result = await build({
  absWorkingDir: root,
  entryPoints: {app: join(src, 'main.tsx')},
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})
copyFileSync(join(src, 'index.html'), join(out, 'index.html'))
const sizes = Object.entries(result.metafile.outputs).map(([file, o]) => `${file.split('/').pop()} ${(o.bytes / 1024).toFixed(1)} KB`)
console.log(`bundle-page: ${sizes.join(', ')} in ${Date.now() - started} ms`)
