import {closeSync, fstatSync, openSync, readSync} from 'node:fs'
import {AdwError, type ErrorCode} from './errors.js'

/**
 * The largest pipeline file or .env that adw reads: 1 MiB. A pipeline of 10,000
 * steps is ~300 KB; past this, parsing and checking one would take seconds and hundreds of MB (a
 * 50 MB file exhausted the heap), for a file that is almost surely not the one meant.
 */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024

/**
 * The largest adw.config.yaml: 64 KiB. It holds four keys, and yaml's duplicate-key check takes
 * time quadratic in the keys of a mapping (a 1 MiB one could take minutes).
 */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024

/**
 * The longest step `timeout`: 24h. Node's timers hold at most 2^31-1 ms (~24.8 days) and fire at
 * once above it, so a larger value would time the step out immediately; a day is plenty for a step.
 */
export const MAX_STEP_TIMEOUT_MS = 24 * 60 * 60 * 1000

/** The most iterations a loop may declare (`loop.maxAttempts`; the pipeline schema says the same). */
export const MAX_LOOP_ATTEMPTS = 100

/** Steps running at once when the pipeline says nothing (`concurrency:`), and the most it may say. */
export const DEFAULT_CONCURRENCY = 4
export const MAX_CONCURRENCY = 64

/** The most items of a forEach list (`maxItems:`) by default, and the most a step may declare. */
export const DEFAULT_FOR_EACH_ITEMS = 100
export const MAX_FOR_EACH_ITEMS = 1000

/** The most tries a `retry:` may declare, and its longest wait between two (`backoff.max`). */
export const MAX_RETRY_ATTEMPTS = 20
export const MAX_RETRY_WAIT_MS = 60 * 60 * 1000

/** How a file is named in messages, and what to do about a problem with it. */
export interface InputFile {
  /** `Pipeline file pipelines/x.yaml`, `The project config /p/adw.config.yaml`. */
  what: string
  /** The code of every problem. */
  code: ErrorCode
  /** The code when it is missing, unreadable or a directory. @default code */
  unreadableCode?: ErrorCode
  /** Suggestions when it is a directory. */
  ifDirectory: string[]
  /** Suggestions when it is too large. */
  ifTooLarge: string[]
  /** @default MAX_INPUT_FILE_BYTES */
  maxBytes?: number
}

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`)

/**
 * Reads a small text file: at most `maxBytes` + 1 bytes are ever read, whatever the file
 * is (a FIFO, /dev/zero). A directory or a file over the limit is an AdwError (exit 2) naming it and
 * the fix; a missing or unreadable one is too (callers check for an optional file's absence first).
 */
export function readInputFile(path: string, file: InputFile): string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? String(error)})`
    throw new AdwError(file.unreadableCode ?? file.code, `${file.what} ${why}`, {cause: error, suggestions: file.ifDirectory})
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) throw new AdwError(file.unreadableCode ?? file.code, `${file.what} is a directory, not a file`, {suggestions: file.ifDirectory})
    const max = file.maxBytes ?? MAX_INPUT_FILE_BYTES
    const tooLarge = (actual: string) => new AdwError(file.code, `${file.what} is ${actual}: adw reads at most ${size(max)} from it`, {suggestions: file.ifTooLarge})
    if (stat.isFile() && stat.size > max) throw tooLarge(size(stat.size))
    const buffer = Buffer.allocUnsafe(max + 1)
    let length = 0
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
      if (length > max) throw tooLarge(`more than ${size(max)}`)
    }
    return buffer.toString('utf8', 0, length)
  } finally {
    closeSync(fd)
  }
}
