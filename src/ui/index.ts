import type {Reporter} from '../engine/events.js'
import {JsonReporter} from './json.js'
import {ListrReporter} from './listr/reporter.js'
import {QuietReporter, SilentReporter} from './quiet.js'

export type ReporterMode = 'auto' | 'json' | 'quiet' | 'silent'

export interface ReporterOptions {
  /** @default process.stdout */
  stdout?: NodeJS.WritableStream
  /** @default process.stderr */
  stderr?: NodeJS.WritableStream
  /**
   * Draw the live TTY view (`auto` only). The plain line renderer is used when false, when `CI` is set
   * or when `TERM=dumb`.
   * @default stdout.isTTY
   */
  isTTY?: boolean
  /** `auto` only: stream each step's output and tool-call rows under it (the engine must emit log events). */
  verbose?: boolean
}

/**
 * The terminal view of a run. `auto`: listr2 tasks (live in a TTY, plain lines otherwise) and a
 * summary; `json`: one event per line; `quiet`: the summary line only; `silent`: nothing.
 */
export function createReporter(mode: ReporterMode, opts: ReporterOptions = {}): Reporter {
  const stdout = opts.stdout ?? process.stdout
  const stderr = opts.stderr ?? process.stderr
  switch (mode) {
    case 'json':
      return new JsonReporter(stdout)
    case 'quiet':
      return new QuietReporter(stdout, stderr)
    case 'silent':
      return new SilentReporter()
    default: {
      const isTTY = opts.isTTY ?? (stdout as {isTTY?: boolean}).isTTY === true
      return new ListrReporter(stdout, stderr, isTTY && !isCI(process.env) && process.env.TERM !== 'dumb', opts.verbose)
    }
  }
}

function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}
