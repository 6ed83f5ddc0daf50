import {lstat, realpath} from 'node:fs/promises'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

/** A tool failure the model sees as an `is_error` tool result; the run goes on. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ToolError'
  }
}

/** True when `p` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p)
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))
}

/**
 * Resolves a path the model gave (relative to the working directory, or absolute) to a real
 * absolute path inside `root`, which must itself be a realpath. Refuses `..` escapes, absolute
 * paths elsewhere, and symlinks (also dangling ones) that lead out: the nearest existing
 * ancestor is resolved with realpath, so a path that does not exist yet is checked too.
 */
export async function confine(root: string, given: string): Promise<string> {
  if (typeof given !== 'string' || given === '') throw new ToolError('A path is required.')
  const abs = resolve(root, given)
  const outside = () =>
    new ToolError(`Refused: "${given}" is outside the working directory ${root}. Use a path inside it (relative paths are resolved from it).`)
  let existing = abs
  const rest: string[] = []
  for (;;) {
    try {
      const real = await realpath(existing)
      const full = rest.length ? join(real, ...rest) : real
      if (!isInside(root, full)) throw outside()
      return full
    } catch (error: any) {
      if (error instanceof ToolError) throw error
      if (error?.code !== 'ENOENT' && error?.code !== 'ENOTDIR') throw error
      // realpath fails on a dangling symlink too: it exists as a link, its target does not.
      const link = await lstat(existing).catch(() => undefined)
      if (link?.isSymbolicLink()) {
        throw new ToolError(`Refused: "${given}" goes through a symbolic link whose target does not exist; links must stay inside ${root}.`)
      }
      const parent = dirname(existing)
      if (parent === existing) throw outside()
      rest.unshift(basename(existing))
      existing = parent
    }
  }
}

/** How a path is shown to the model and in logs: relative to the working directory. */
export function display(root: string, abs: string): string {
  const rel = relative(root, abs)
  return rel === '' ? '.' : rel
}

/**
 * Refuses a write under `.git/` or `.adw/`: a hook or .git/config (core.hooksPath, core.fsmonitor)
 * written there would run later outside the command sandbox, and .adw/ is adw's record of the run.
 * The sandbox keeps Bash from them the same way (src/sandbox/bwrap.ts).
 */
export function refuseProtected(root: string, abs: string): void {
  const top = relative(root, abs).split(sep)[0]
  if (top === '.git' || top === '.adw') {
    throw new ToolError(`Refused: ${display(root, abs)} is inside ${top}/, which agent tools may not write (use git commands through Bash for the repository).`)
  }
}
