import {openSync, readSync, closeSync, realpathSync, statSync} from 'node:fs'
import {isAbsolute, relative, resolve, sep} from 'node:path'

import {envRedactor} from '../secrets/redactor.js'
import type {StepView} from './run-detail.js'

/** Plan files larger than this are cut (a plan is a page or two of Markdown). */
export const PLAN_MAX_BYTES = 256 * 1024

export interface PlanFile {
  /** As the step recorded it, relative to the run's working directory. */
  path: string
  markdown: string
  truncated: boolean
}

/**
 * The plan file a step named in its outputs (`plan_file`, as the built-in plan step returns it), read
 * from the run's working directory. Only a regular file inside that directory is read (no `..`, no
 * symlink out of it), at most PLAN_MAX_BYTES, and secret-looking values of this process's environment
 * are masked as the store masks them. Undefined when no step names one or the file is gone.
 */
export function readPlan(workingDir: string, steps: StepView[], env: Record<string, string | undefined> = process.env): PlanFile | undefined {
  const named = steps.findLast(s => s.status === 'succeeded' && typeof s.outputs?.plan_file === 'string')
  if (!named) return undefined
  const path = named.outputs!.plan_file as string
  let root: string
  let file: string
  try {
    root = realpathSync(workingDir)
    file = realpathSync(resolve(root, path))
    if (!statSync(file).isFile()) return undefined
  } catch {
    return undefined
  }
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined
  const buffer = Buffer.alloc(PLAN_MAX_BYTES + 1)
  const fd = openSync(file, 'r')
  let n: number
  try {
    n = readSync(fd, buffer, 0, buffer.length, 0)
  } finally {
    closeSync(fd)
  }
  const truncated = n > PLAN_MAX_BYTES
  const text = buffer.subarray(0, Math.min(n, PLAN_MAX_BYTES)).toString('utf8')
  return {path, markdown: envRedactor(env).text(text), truncated}
}
