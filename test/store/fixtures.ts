import {execa} from 'execa'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {ROOT, tmpDir} from '../helpers/cli.js'
import type {NewRun} from '../../src/store/types.js'

/** A fresh database path in a new temp dir (the file does not exist yet). */
export function tempDb(name = 'orchestrator.db'): {dir: string; db: string} {
  const dir = tmpDir({}, 'adw-store-')
  return {dir, db: join(dir, name)}
}

export function newRun(adwId: string, over: Partial<NewRun> = {}): NewRun {
  return {adwId, pipelineName: 'demo', pipelineFile: 'pipelines/demo.yaml', pipelineSnapshot: 'name: demo\n', inputs: {prompt: 'hi'}, workingDir: ROOT, ...over}
}

/** Absolute import specifier of a source module, for child scripts. */
export const SRC_STORE = pathToFileURL(join(ROOT, 'src/store/sqlite.ts')).href
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href

/** Runs a TypeScript snippet in a real child `node` (the pinned Node 24) under tsx. */
export function runChild(dir: string, name: string, source: string, args: string[] = []) {
  const file = join(dir, `${name}.mts`)
  writeFileSync(file, source)
  return execa(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', TSX, file, ...args], {reject: false, cwd: dir})
}

/** Awaits `p`, which must reject with an error whose message matches `pattern`. */
export async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown
  try {
    await p
  } catch (e) {
    error = e
  }
  if (error === undefined) throw new Error(`expected a rejection matching ${pattern}, got none`)
  if (!pattern.test((error as Error)?.message ?? String(error))) throw new Error(`expected a rejection matching ${pattern}, got: ${(error as Error)?.message ?? error}`)
}
