import Mustache from 'mustache'
import {asText, jsonView, renderOptions} from '../template.js'
import {analyze, placeholder, renderSkeleton, TAG_ENV_PREFIX, type Skeleton} from './analyze.js'

/** Linux refuses to start a process with one environment string longer than this (MAX_ARG_STRLEN). */
const MAX_ENV_STRING = 128 * 1024

type Tag = {name: string; value: string}

/** Renders `{{x}}` as a marker `\0<index>\0` and keeps the value aside; the marker becomes a placeholder. */
class TagWriter extends Mustache.Writer {
  tags: Tag[] = []
  override escapedValue(token: string[], context: Mustache.Context): string {
    const value = context.lookup(token[1])
    if (value === null || value === undefined) return ''
    this.tags.push({name: token[1], value: asText(value)})
    return `\0${this.tags.length - 1}\0`
  }
}
const writer = new TagWriter()

/** What a step's options render to: the options, and the variables the shell options refer to. */
export interface RenderedStep {
  options: Record<string, unknown>
  /** `ADW_TAG_n` → value: to add to the environment of the process that runs the shell options. */
  env: Record<string, string>
}

export interface ShellRenderOptions {
  /** `{{{x}}}` / `{{& x}}` are allowed (the step says `unsafeRaw: true`). */
  unsafeRaw?: boolean
  /** Who reads the template, for messages: `run of step "save"`. */
  label: string
}

function hasRawTag(tokens: unknown[]): boolean {
  return tokens.some(t => {
    const [type, , , , children] = t as [string, string, number, number, unknown[]?]
    return type === '&' || (Array.isArray(children) && hasRawTag(children))
  })
}

/**
 * Renders one shell template so that no value is ever parsed by the shell: each `{{x}}` becomes a
 * reference to an environment variable (`"${ADW_TAG_1}"`, or `${ADW_TAG_1}` inside double quotes
 * and heredocs), chosen by where bash's grammar says the tag sits. Values are added to `env`,
 * numbered after those already there (several templates of one step share it). Throws where no
 * reference is safe.
 */
export async function renderShell(template: string, view: unknown, env: Record<string, string>, opts: ShellRenderOptions): Promise<string> {
  if (!template.includes('{{')) return template
  if (template.includes('\0')) throw new Error(`${opts.label} holds a NUL character, which bash cannot run`)
  if (!opts.unsafeRaw && hasRawTag(Mustache.parse(template))) {
    throw new Error(`{{{...}}} and {{& ...}} in ${opts.label} insert a value as shell code: use {{...}}, or set unsafeRaw: true on the step for a trusted value`)
  }
  writer.tags = []
  const marked = writer.render(template, view)
  const tags = writer.tags
  writer.tags = []
  if (tags.length === 0) return marked
  const base = Object.keys(env).filter(k => k.startsWith(TAG_ENV_PREFIX)).length
  const skeleton: Skeleton = {text: '', at: [], first: base + 1}
  const names: string[] = []
  for (const [i, part] of marked.split(/\0(\d+)\0/).entries()) {
    if (i % 2 === 0) {
      skeleton.text += part
      continue
    }
    const tag = tags[Number(part)]
    const n = base + skeleton.at.length + 1
    if (tag.value.includes('\0')) throw new Error(`{{${tag.name}}} in ${opts.label} holds a NUL character, which no shell variable can hold`)
    const name = `${TAG_ENV_PREFIX}${n}`
    if (Buffer.byteLength(tag.value) + name.length + 2 > MAX_ENV_STRING) {
      throw new Error(`{{${tag.name}}} in ${opts.label} is ${Buffer.byteLength(tag.value)} bytes, more than a process can be given (128 KiB): write it to a file in an earlier step and read the file`)
    }
    skeleton.at.push(skeleton.text.length)
    skeleton.text += placeholder(n)
    names.push(tag.name)
    env[name] = tag.value
  }
  const {verdicts, syntaxError} = await analyze(skeleton)
  if (syntaxError !== undefined) {
    throw new Error(`bash cannot parse ${opts.label} once rendered, near "${skeleton.text.slice(syntaxError, syntaxError + 30)}": fix its syntax (adw parses it to place each {{value}} safely)`)
  }
  verdicts.forEach((v, i) => {
    if ('problem' in v) throw new Error(`{{${names[i]}}} in ${opts.label} sits ${v.problem.replaceAll('{{x}}', `{{${names[i]}}}`)}`)
  })
  return renderSkeleton(skeleton, verdicts)
}

async function renderDeep(value: unknown, view: unknown, env: Record<string, string>, opts: ShellRenderOptions): Promise<unknown> {
  if (typeof value === 'string') return renderShell(value, view, env, opts)
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (const v of value) out.push(await renderDeep(v, view, env, opts)) // in order: they number env's variables
    return out
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(v, view, env, opts)
    return out
  }
  return value
}

/**
 * Renders a step's `with:` block: options in `shellOptions` through renderShell, the rest through
 * renderOptions. The executor must give `env` to the process that runs its shell options.
 */
export async function renderStepOptions(
  withBlock: Record<string, unknown>,
  view: Record<string, unknown>,
  shellOptions: readonly string[],
  opts: {unsafeRaw?: boolean; stepId: string},
): Promise<RenderedStep> {
  const options = renderOptions(withBlock, view, shellOptions)
  const env: Record<string, string> = {}
  const keys = shellOptions.filter(k => k in withBlock)
  if (keys.length === 0) return {options, env}
  const safe = jsonView(view)
  for (const key of keys) {
    options[key] = await renderDeep(withBlock[key], safe, env, {unsafeRaw: opts.unsafeRaw, label: `${key} of step "${opts.stepId}"`})
  }
  return {options, env}
}
