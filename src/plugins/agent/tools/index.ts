import {Bash} from './bash.js'
import {Edit, Read, Write} from './files.js'
import {Glob, Grep} from './search.js'
import {TOOL_NAMES} from './names.js'
import type {Tool, ToolContext} from './types.js'

export type {Tool, ToolContext} from './types.js'
export {ToolError} from './paths.js'

/** The built-in tools by name, in the order the model sees them. */
export const TOOLS: Readonly<Record<string, Tool>> = {Read, Write, Edit, Glob, Grep, Bash}

export {TOOL_NAMES}

/** The tools a step uses: `names` (from `with.tools`) or all of them. */
export function selectTools(names?: string[]): Tool[] {
  return (names ?? TOOL_NAMES).map(n => TOOLS[n]).filter(Boolean)
}

/** Outcome of one tool call, ready to become a `tool_result` block. */
export interface ToolOutcome {
  content: string
  isError: boolean
  summary: string
  durationMs: number
}

/** One line naming a tool call, e.g. `Read src/a.ts` or `Bash npm test`. */
export function describeCall(tools: Tool[], name: string, input: unknown): string {
  const tool = tools.find(t => t.name === name)
  try {
    return tool ? `${name} ${tool.summarize((input ?? {}) as never)}` : name
  } catch {
    return name
  }
}

/**
 * Runs one tool call. Every failure (a refused path, a missing file, a non-zero exit, bad input)
 * becomes an error result the model sees; only cancellation propagates.
 */
export async function runTool(tools: Tool[], name: string, input: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const started = Date.now()
  const tool = tools.find(t => t.name === name)
  const args = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const summary = describeCall(tools, name, args)
  try {
    if (!tool) throw new Error(`Unknown tool "${name}". Available: ${tools.map(t => t.name).join(', ') || 'none'}.`)
    const missing = (tool.input_schema.required ?? []).filter(k => args[k] === undefined)
    if (missing.length) throw new Error(`Missing required input: ${missing.join(', ')}.`)
    const content = await untilAborted(tool.run(args, ctx), ctx.signal)
    return {content, isError: false, summary, durationMs: Date.now() - started}
  } catch (error: any) {
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : error
    const content = error?.code && error?.syscall ? `${error.code}: ${error.message}` : String(error?.message ?? error)
    return {content, isError: true, summary, durationMs: Date.now() - started}
  }
}

/**
 * `work`, or a rejection as soon as `signal` aborts: a step's timeout and Ctrl-C do not wait for a
 * tool to notice (it still stops on its own: Bash kills its sandbox, Grep checks between slices).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  let onAbort!: () => void
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, {once: true})
  })
  work.catch(() => {})
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort))
}
