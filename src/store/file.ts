import {closeSync, mkdirSync, openSync, readSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {AdwError} from '../errors.js'

/** Every SQLite 3 database file starts with these 16 bytes. */
const SQLITE_HEADER = 'SQLite format 3\0'

const WHERE = '--db / DATABASE_PATH / adw.config.yaml database.path'

function databaseError(message: string, suggestions: string[], cause?: unknown): AdwError {
  return new AdwError('DATABASE_INVALID', message, {suggestions, ...(cause === undefined ? {} : {cause})})
}

/**
 * Checks a database path before SQLite opens it, so that a wrong path is an AdwError (exit 2) that
 * names it, not SQLite's "unable to open database file": a directory, something other than a file,
 * a file that is not an SQLite database (an empty file is one), a missing folder. The folder is
 * created only with `createParent` (a path from adw.config.yaml or the environment: the project's
 * chosen layout); a `--db` flag never silently creates folders, a typo would scatter databases.
 */
export function checkDatabasePath(file: string, opts: {createParent: boolean}): void {
  let stat
  try {
    stat = statSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw databaseError(`The database path ${file} cannot be used: ${(error as Error).message}`, [`point ${WHERE} at a file you can write`], error)
    return checkParent(file, opts.createParent)
  }
  if (stat.isDirectory()) {
    throw databaseError(`The database path ${file} is a directory; adw needs a file (SQLite) there`, [`name a file in it: --db ${join(file, 'orchestrator.db')}`, `or point ${WHERE} at another file`])
  }
  if (!stat.isFile()) throw databaseError(`The database path ${file} is not a regular file`, [`point ${WHERE} at a file`])
  if (stat.size > 0 && readHeader(file) !== SQLITE_HEADER) {
    throw databaseError(`${file} is not an SQLite database (it does not start with "SQLite format 3"); adw will not write its tables into another kind of file`, [
      `check the path; a new database is created when you name a file that does not exist yet, e.g. --db ${join(dirname(file), 'orchestrator.db')}`,
    ])
  }
}

function checkParent(file: string, create: boolean): void {
  const parent = dirname(file)
  let stat
  try {
    stat = statSync(parent)
  } catch {
    if (!create) {
      throw databaseError(`The folder of the database ${file} does not exist (${parent}); adw does not create folders for --db`, [`create it first: mkdir -p ${parent}`, 'or check the path for a typo'])
    }
    mkdirSync(parent, {recursive: true})
    return
  }
  if (!stat.isDirectory()) throw databaseError(`The database path ${file} is inside ${parent}, which is not a directory`, [`point ${WHERE} at a file in an existing folder`])
}

function readHeader(file: string): string {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(SQLITE_HEADER.length)
    const n = readSync(fd, buffer, 0, buffer.length, 0)
    return buffer.toString('latin1', 0, n)
  } finally {
    closeSync(fd)
  }
}

/** SQLite's own refusals at open (a file it cannot open, or that is not a database) as an AdwError naming the path. */
export function openFailure(file: string, error: unknown): unknown {
  const e = error as {code?: string; errcode?: number; message?: string}
  if (e?.code !== 'ERR_SQLITE_ERROR') return error
  // Primary result codes: 14 CANTOPEN, 26 NOTADB, 8 READONLY, 10 IOERR, 23 AUTH.
  const primary = (e.errcode ?? 0) & 0xff
  if (![8, 10, 14, 23, 26].includes(primary)) return error
  return databaseError(`Cannot open the database ${file}: ${e.message}`, [`check the file and its folder's permissions, or point ${WHERE} at another file`], error)
}
