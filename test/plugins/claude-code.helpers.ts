import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, tmpDir} from '../helpers/cli.js'
import {processGone} from '../helpers/process.js'
import type {ExecutorContext, LogLevel, LogType, Usage} from '../../src/plugins/types.js'

/** The folder holding the fake `claude`, to put first on PATH. */
export const FAKE_DIR = join(ROOT, 'test/fixtures/fake-claude')

export interface Row {
  level: LogLevel
  type: LogType
  message: string
  details?: any
}

export interface TestCtx extends ExecutorContext {
  rows: Row[]
  progressed: {text: string; at: number}[]
  usages: Usage[]
  controller: AbortController
  argvFile: string
  pidFile: string
  argv(): string[]
}

/** A hand-built context: a real temp working dir, the fake first on PATH, rows collected in memory. */
export function makeCtx(opts: {scenario?: string; env?: Record<string, string | undefined>; model?: string; path?: string} = {}): TestCtx {
  const workingDir = tmpDir({}, 'adw-cc-')
  const scratch = tmpDir({}, 'adw-cc-scratch-')
  const controller = new AbortController()
  const ctx: TestCtx = {
    adwId: 'cc-test',
    stepId: 'step',
    iteration: 0,
    workingDir,
    signal: controller.signal,
    env: {
      PATH: opts.path ?? `${FAKE_DIR}:${process.env.PATH}`,
      HOME: process.env.HOME,
      FAKE_CLAUDE_SCENARIO: opts.scenario ?? 'success',
      FAKE_CLAUDE_ARGV_FILE: join(scratch, 'argv.json'),
      FAKE_CLAUDE_PID_FILE: join(scratch, 'pid'),
      ...opts.env,
    },
    model: opts.model,
    rows: [],
    progressed: [],
    usages: [],
    controller,
    argvFile: join(scratch, 'argv.json'),
    pidFile: join(scratch, 'pid'),
    argv: () => JSON.parse(readFileSync(join(scratch, 'argv.json'), 'utf8')),
    log(level, type, message, details) {
      ctx.rows.push({level, type, message, details})
    },
    progress(text) {
      ctx.progressed.push({text, at: Date.now()})
    },
    reportUsage(u) {
      ctx.usages.push(u)
    },
  }
  return ctx
}

/** Whether a process still runs (a zombie counts as gone: nobody may reap it in a container). */
export const alive = (pid: number): boolean => !processGone(pid)

/** Resolves when `check` holds, or rejects after `ms`. */
export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 20))
  }
}

/** The error `p` rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}
