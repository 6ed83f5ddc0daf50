import {classify, type Verdict} from './contexts.js'
import {firstSyntaxError, parseBash} from './parser.js'

/** Environment variables that carry the values of a shell option's tags: `ADW_TAG_1`, `ADW_TAG_2`, ... */
export const TAG_ENV_PREFIX = 'ADW_TAG_'

/** The variable of the n-th (1-based) tag, as it stands in a skeleton: `${ADW_TAG_n}`. */
export const placeholder = (n: number) => `\${${TAG_ENV_PREFIX}${n}}`

/**
 * A shell option with each tag replaced by `${ADW_TAG_n}` (n counting from `first` in order), and
 * where each of those stands. This is what gets parsed: the values themselves never are.
 */
export interface Skeleton {
  text: string
  /** Offsets of the placeholders in `text`, in order. */
  at: number[]
  /** The number of the first placeholder. @default 1 */
  first?: number
}

const nth = (s: Skeleton, i: number) => placeholder((s.first ?? 1) + i)

export interface Analysis {
  /** One verdict per placeholder. */
  verdicts: Verdict[]
  /** Offset in the skeleton of the first bash syntax error, if any. */
  syntaxError?: number
}

const MEMO_MAX = 500
const memo = new Map<string, Promise<Analysis>>()

/**
 * Parses a skeleton with bash's grammar and says how each placeholder may be rendered. Remembered
 * per skeleton: a step in a loop, or run after its pipeline was loaded, parses nothing again.
 */
export function analyze(skeleton: Skeleton): Promise<Analysis> {
  const key = `${skeleton.first ?? 1}:${skeleton.at.join(',')}\n${skeleton.text}`
  let found = memo.get(key)
  if (!found) {
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!)
    found = run(skeleton)
    found.catch(() => memo.delete(key))
    memo.set(key, found)
  }
  return found
}

async function run(skeleton: Skeleton): Promise<Analysis> {
  const {text, at} = skeleton
  const parsed = await parseBash(text)
  try {
    const error = firstSyntaxError(parsed.root)
    const verdicts = at.map((start, i) => classify(parsed.root, start, start + nth(skeleton, i).length))
    return {verdicts, ...(error ? {syntaxError: error.startIndex} : {})}
  } finally {
    parsed.delete()
  }
}

/** The script bash runs: each placeholder written as its verdict says (all verdicts must be forms). */
export function renderSkeleton(skeleton: Skeleton, verdicts: Verdict[]): string {
  const {text, at} = skeleton
  let out = ''
  let last = 0
  at.forEach((start, i) => {
    const ref = nth(skeleton, i)
    const verdict = verdicts[i]
    out += text.slice(last, start) + ('form' in verdict && verdict.form === 'bare' ? ref : `"${ref}"`)
    last = start + ref.length
  })
  return out + text.slice(last)
}
