import {RE2JS} from 're2js'
import {ToolError} from './paths.js'

/**
 * Grep's regular expressions: RE2 (re2js, pure JS), which matches in time linear in the input. A
 * JS RegExp backtracks: `^(a+)+$` on 28 × "a" + "!" held the event loop for ~16 s, and with it the
 * step's timeout and Ctrl-C. RE2 has no lookaheads or backreferences; the model is told so.
 */
export interface LineMatcher {
  /** True when the line contains a match. */
  test(line: string): boolean
  /** False when no line of `text` can match: the whole file is skipped in one pass. */
  mayMatch(text: string): boolean
}

/** What RE2 cannot do, found in the pattern itself (the compiler's message would not say why). */
function unsupported(pattern: string): string | undefined {
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') {
      const next = pattern[i + 1] ?? ''
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`
      if (!inClass && next === 'k' && pattern[i + 2] === '<') return 'a named backreference (\\k<name>)'
      i++
    } else if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (!inClass && c === '(' && pattern[i + 1] === '?' && (pattern[i + 2] === '=' || pattern[i + 2] === '!')) {
      return `a lookahead (${pattern.slice(i, i + 3)}...)`
    }
  }
  return undefined
}

/** Compiles `pattern` (JavaScript syntax, translated to RE2), or throws a ToolError the model can act on. */
export function compileLineMatcher(pattern: string): LineMatcher {
  if (typeof pattern !== 'string' || pattern === '') throw new ToolError('pattern is required.')
  const bad = unsupported(pattern)
  if (bad) {
    throw new ToolError(
      `Unsupported regular expression: Grep uses RE2 syntax (linear-time matching), which has no lookaheads ((?=...), (?!...)) ` +
        `or backreferences (\\1, \\k<name>); the pattern has ${bad}. Search with a simpler pattern and check the matching lines with Read.`,
    )
  }
  let line: RE2JS
  let file: RE2JS
  try {
    const source = RE2JS.translateRegExp(pattern)
    line = RE2JS.compile(source, RE2JS.LOOKBEHINDS)
    file = RE2JS.compile(source, RE2JS.LOOKBEHINDS | RE2JS.MULTILINE)
  } catch (error: any) {
    throw new ToolError(`Invalid regular expression (Grep uses RE2 syntax): ${String(error?.message ?? error).replace(/^error parsing regexp: /, '')}`)
  }
  return {
    test: s => line.matcher(s).find(),
    // A match within a line is a match within the file, with ^ and $ at line ends (MULTILINE).
    mayMatch: s => file.matcher(s).find(),
  }
}
