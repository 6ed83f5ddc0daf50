import Mustache from 'mustache'
import type {Node} from 'yaml'
import type {SourceFile} from '../source.js'
import {analyze, placeholder, type Skeleton} from './analyze.js'

type Token = [string, string, number, number, Token[]?, number?]

/** Text of the skeleton copied from the template: [skeleton offset, template offset, length]. */
type Segment = [number, number, number]

/** A tag's place in the template and in the skeleton. */
interface TagAt {
  name: string
  /** The tag as written, e.g. `{{{x}}}`. */
  text: string
  /** Offset of the tag (`{{`) in the template. */
  start: number
}

/**
 * The skeleton of a template as it loads: text kept, each `{{x}}` a placeholder, each section's
 * body taken once (the run checks again what its sections really render).
 */
function skeletonOf(tokens: Token[], template: string): {skeleton: Skeleton; tags: TagAt[]; segments: Segment[]; raw: TagAt[]} {
  const skeleton: Skeleton = {text: '', at: []}
  const tags: TagAt[] = []
  const segments: Segment[] = []
  const raw: TagAt[] = []
  const walk = (list: Token[]) => {
    for (const [type, name, start, end, children] of list) {
      if (type === 'text') {
        segments.push([skeleton.text.length, start, end - start])
        skeleton.text += template.slice(start, end)
      } else if (type === 'name') {
        skeleton.at.push(skeleton.text.length)
        skeleton.text += placeholder(skeleton.at.length)
        tags.push({name, start, text: template.slice(start, end)})
      } else if (type === '&') {
        raw.push({name, start, text: template.slice(start, end)})
        // A trusted raw value (unsafeRaw): taken as one plain word for this check.
        skeleton.text += 'adw_raw_value'
      } else if ((type === '#' || type === '^') && children) walk(children)
    }
  }
  walk(tokens)
  return {skeleton, tags, segments, raw}
}

/** The template offset of a skeleton offset (a tag's own offset when it falls in a placeholder). */
function templateOffset(at: number, segments: Segment[], skeleton: Skeleton, tags: TagAt[]): number {
  for (const [s, t, len] of segments) if (at >= s && at < s + len) return t + (at - s)
  const i = skeleton.at.findLastIndex(p => p <= at)
  return i >= 0 ? tags[i].start : (segments.at(-1)?.[1] ?? 0)
}

/**
 * Checks a shell option's template when the pipeline loads: every `{{x}}` must sit where bash
 * expands a variable without running it (see contexts.ts); `{{{x}}}` / `{{& x}}` need `unsafeRaw`.
 * Reports each problem at the tag, with the fix. Parses only templates that have tags.
 */
export async function checkShellTemplate(src: SourceFile, node: Node | undefined, template: string, label: string, unsafeRaw: boolean): Promise<void> {
  let tokens: Token[]
  try {
    tokens = Mustache.parse(template) as Token[]
  } catch {
    return // checkTemplate reports it
  }
  const nul = template.indexOf('\0')
  if (nul >= 0) src.report(src.scalarOffset(node, nul), `${label} holds a NUL character, which bash cannot run: remove it`)
  const {skeleton, tags, segments, raw} = skeletonOf(tokens, template)
  if (!unsafeRaw) {
    for (const tag of raw) {
      src.report(
        src.scalarOffset(node, tag.start),
        `${tag.text} in ${label} inserts the value as shell code, where a quote, $(...) or ; in it runs as a command. Use {{${tag.name}}} (passed to bash as data), or add unsafeRaw: true to the step if the value is trusted`,
      )
    }
  }
  if (tags.length === 0) return
  let analysis
  try {
    analysis = await analyze(skeleton)
  } catch (error) {
    src.report(src.scalarOffset(node, tags[0].start), `Cannot check where the {{values}} of ${label} sit: the bash parser failed to load (${(error as Error).message})`)
    return
  }
  if (analysis.syntaxError !== undefined) {
    const at = templateOffset(analysis.syntaxError, segments, skeleton, tags)
    src.report(src.scalarOffset(node, at), `Bash syntax error in ${label} near here: fix the script (adw parses it to place each {{value}} safely)`)
    return
  }
  analysis.verdicts.forEach((verdict, i) => {
    if ('problem' in verdict) src.report(src.scalarOffset(node, tags[i].start), `${tags[i].text} in ${label} sits ${verdict.problem.replaceAll('{{x}}', tags[i].text)}`)
  })
}
