import {glob, lstat, readdir, readFile, realpath, stat} from 'node:fs/promises'
import {isAbsolute, join, matchesGlob} from 'node:path'
import {setImmediate as nextTick} from 'node:timers/promises'
import {confine, display, isInside, ToolError} from './paths.js'
import {compileLineMatcher} from './regex.js'
import type {Tool} from './types.js'

const SKIP_DIRS = new Set(['node_modules', '.git'])
const MAX_GLOB_RESULTS = 200
const MAX_GREP_MATCHES = 200
const MAX_GREP_FILE_BYTES = 2 * 1024 * 1024
const MAX_WALK_FILES = 20_000
/** Lines matched between two yields to the event loop, so a timeout or Ctrl-C is seen while a big file is searched. */
const LINES_PER_SLICE = 5000

function checkPattern(pattern: string): void {
  if (typeof pattern !== 'string' || pattern === '') throw new ToolError('pattern is required.')
  if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
    throw new ToolError(`Refused: glob "${pattern}" must be relative to the working directory and must not contain "..".`)
  }
}

export const Glob: Tool<{pattern: string; path?: string}> = {
  name: 'Glob',
  description:
    'Finds files by glob pattern (e.g. "**/*.ts", "src/**/*.test.js"), newest first. Skips node_modules and .git. ' +
    'Use it to explore the project layout before reading files.',
  input_schema: {
    type: 'object',
    properties: {
      pattern: {type: 'string', description: 'Glob pattern, relative to path'},
      path: {type: 'string', description: 'Directory to search in, relative to the working directory (default: the working directory)'},
    },
    required: ['pattern'],
  },
  summarize: i => (i.path ? `${i.pattern} in ${i.path}` : i.pattern),
  async run(input, {root}) {
    checkPattern(input.pattern)
    const base = await confine(root, input.path ?? '.')
    const found: {path: string; mtime: number}[] = []
    for await (const rel of glob(input.pattern, {cwd: base, exclude: (n: string) => SKIP_DIRS.has(n.split('/').pop() ?? n)})) {
      const abs = join(base, rel)
      // An explicit path through a symlinked directory is followed by glob: keep only what stays inside.
      const real = await realpath(abs).catch(() => undefined)
      if (!real || !isInside(root, real)) continue
      const st = await stat(real).catch(() => undefined)
      if (st?.isFile()) found.push({path: display(root, abs), mtime: st.mtimeMs})
      if (found.length >= MAX_WALK_FILES) break
    }
    if (!found.length) return 'No files found.'
    found.sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path))
    const shown = found.slice(0, MAX_GLOB_RESULTS).map(f => f.path)
    if (found.length > MAX_GLOB_RESULTS) shown.push(`... (${found.length - MAX_GLOB_RESULTS} more; use a narrower pattern)`)
    return shown.join('\n')
  },
}

/** Files under `dir`, depth first, without following symlinks or entering node_modules/.git. */
async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => [])
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* walk(p)
    } else if (e.isFile()) yield p
  }
}

export const Grep: Tool<{pattern: string; path?: string; glob?: string}> = {
  name: 'Grep',
  description:
    'Searches file contents with a regular expression (RE2 syntax: like JavaScript, but without lookaheads or backreferences). ' +
    'Returns matching lines as "path:line: text". ' +
    'path limits the search to a file or directory; glob filters file names (e.g. "*.ts", "src/**/*.py"). Skips node_modules, .git and binary files.',
  input_schema: {
    type: 'object',
    properties: {
      pattern: {type: 'string', description: 'Regular expression (RE2 syntax; no lookaheads or backreferences)'},
      path: {type: 'string', description: 'File or directory to search, relative to the working directory (default: all of it)'},
      glob: {type: 'string', description: 'Only files whose name (or relative path, when it contains "/") matches this glob'},
    },
    required: ['pattern'],
  },
  summarize: i => `/${i.pattern}/${i.path ? ` in ${i.path}` : ''}${i.glob ? ` (${i.glob})` : ''}`,
  async run(input, {root, signal}) {
    const re = compileLineMatcher(input.pattern)
    if (input.glob) checkPattern(input.glob)
    const base = await confine(root, input.path ?? '.')
    const st = await lstat(base).catch(() => undefined)
    if (!st) throw new ToolError(`Path does not exist: ${input.path}`)
    const files = st.isDirectory() ? walk(base) : (async function* () { yield base })()
    const out: string[] = []
    let visited = 0
    let more = false
    for await (const file of files) {
      if (signal.aborted || ++visited > MAX_WALK_FILES) break
      const rel = display(root, file)
      if (input.glob && !matchesGlob(input.glob.includes('/') ? rel : rel.split('/').pop()!, input.glob)) continue
      const fst = await stat(file).catch(() => undefined)
      if (!fst || fst.size > MAX_GREP_FILE_BYTES) continue
      const buf = await readFile(file).catch(() => undefined)
      if (!buf || buf.includes(0)) continue
      const text = buf.toString('utf8')
      if (!re.mayMatch(text)) continue
      const lines = text.split('\n')
      for (let i = 0; i < lines.length; i++) {
        if (i % LINES_PER_SLICE === LINES_PER_SLICE - 1) {
          await nextTick()
          if (signal.aborted) break
        }
        if (!re.test(lines[i])) continue
        if (out.length >= MAX_GREP_MATCHES) {
          more = true
          break
        }
        out.push(`${rel}:${i + 1}: ${lines[i].length > 300 ? lines[i].slice(0, 300) + '…' : lines[i]}`)
      }
      if (more) break
    }
    if (!out.length) return 'No matches found.'
    if (more) out.push(`... (more than ${MAX_GREP_MATCHES} matches; narrow the pattern, path or glob)`)
    return out.join('\n')
  },
}
