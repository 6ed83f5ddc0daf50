import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, extname, join, resolve} from 'node:path'
import {gzipSync} from 'node:zlib'
import {fileURLToPath} from 'node:url'

import {AdwError} from '../errors.js'

/** Where `npm run build` writes the page (bin/bundle-page.mjs); this module sits two levels below the package. */
export const PAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..', 'dist/dashboard/page')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

export interface Asset {
  body: Uint8Array
  /** The same bytes gzipped, for clients that accept it (the page's script shrinks to ~40%). */
  gzip: Uint8Array
  type: string
}

/** The page's files, read once into memory (they are small). */
export function loadAssets(dir = PAGE_DIR): Map<string, Asset> {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new AdwError('USAGE', `The dashboard page is not built (${dir} has no index.html).`, {suggestions: ['npm run build']})
  }
  const assets = new Map<string, Asset>()
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (!type) continue
    const body = readFileSync(join(dir, name))
    assets.set(name, {body, gzip: gzipSync(body, {level: 9}), type})
  }
  return assets
}
