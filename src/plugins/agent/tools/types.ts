import type {SandboxSettings} from '../../../sandbox/index.js'

/** What every built-in tool gets. */
export interface ToolContext {
  /** Real absolute path of the working directory; every path stays inside it. */
  root: string
  /** Aborted on step timeout or Ctrl-C. */
  signal: AbortSignal
  /** Environment for the Bash tool (secrets already removed); only allow-listed names pass into the sandbox. */
  env: Record<string, string | undefined>
  /** How Bash commands are sandboxed: the run's setting, and whether the step lets them use the network. */
  sandbox: SandboxSettings & {network?: boolean}
}

/** A built-in tool, named and shaped like Claude Code's. */
export interface Tool<Input = any> {
  name: string
  description: string
  input_schema: {type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean}
  /** One short line for logs and the live view, e.g. `src/a.ts` or `npm test`. */
  summarize(input: Input): string
  /** The result text; throws ToolError (or any error) for an `is_error` result. */
  run(input: Input, ctx: ToolContext): Promise<string>
}

/** Cuts `text` to `max` characters, keeping the head and tail and saying how much was left out. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text
  const head = Math.floor(max * 0.7)
  const tail = max - head
  return `${text.slice(0, head)}\n\n... [${text.length - max} characters omitted] ...\n\n${text.slice(text.length - tail)}`
}

/** The first line of `s`, at most `n` characters. */
export function oneLine(s: unknown, n = 80): string {
  const line = String(s ?? '').split('\n', 1)[0]
  return line.length > n ? line.slice(0, n - 1) + '…' : line
}
