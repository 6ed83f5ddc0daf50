import {statSync} from 'node:fs'
import {isAbsolute, relative, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {AdwError} from '../errors.js'
import {assertExecutor} from './check.js'
import type {ExecutorSource} from './registry.js'

/** `uses: ./steps/lint.js`, `../x.mjs` or an absolute path: a module next to the pipeline. */
export function isLocalModule(uses: string): boolean {
  return uses.startsWith('./') || uses.startsWith('../') || isAbsolute(uses)
}

/** A path for messages: relative to the current directory when inside it. */
function display(abs: string): string {
  const rel = relative(process.cwd(), abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs
}

/** Imports a local module (resolved from the pipeline's folder); its default export is one executor. */
export async function loadLocalExecutor(uses: string, pipelineDir: string): Promise<ExecutorSource> {
  const abs = resolve(pipelineDir, uses)
  const shown = display(abs)
  let isFile = false
  try {
    isFile = statSync(abs).isFile()
  } catch {
    // reported below
  }
  if (!isFile) {
    throw new AdwError('EXECUTOR_NOT_FOUND', `no such file ${shown} (a local module is resolved from the pipeline file's folder)`)
  }
  let mod: Record<string, unknown>
  try {
    mod = await import(pathToFileURL(abs).href)
  } catch (error) {
    throw new AdwError('EXECUTOR_NOT_FOUND', `${shown} threw while loading: ${firstLine(error)}`, {cause: error})
  }
  if (mod.default === undefined) {
    throw new AdwError('EXECUTOR_NOT_FOUND', `${shown} has no default export; it must \`export default {name, run(options, ctx) {…}}\``)
  }
  try {
    return {executor: assertExecutor(mod.default, `the default export of ${shown}`), source: `local (${shown})`, path: abs}
  } catch (error) {
    throw new AdwError('EXECUTOR_NOT_FOUND', (error as Error).message, {cause: error})
  }
}

function firstLine(error: unknown): string {
  const e = error as {name?: string; message?: string}
  const msg = String(e?.message ?? error).split('\n')[0]
  return e?.name === 'SyntaxError' ? `SyntaxError: ${msg}` : msg
}
