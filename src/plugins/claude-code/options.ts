import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, isAbsolute, join, resolve} from 'node:path'
import type {JsonSchema} from '../types.js'

/** The `with:` block of a `uses: claude-code` step. */
export interface ClaudeCodeOptions {
  /** The prompt, passed as one argument: a slash command such as `/plan add login` works. */
  prompt: string
  /** `--model`. @default the run's model (`--model`, AGENT_MODEL, config), else Claude Code's own */
  model?: string
  /** `--allowedTools`: tool rules that run without asking, e.g. `Edit`, `Bash(npm test:*)`. */
  allowedTools?: string[]
  /** `--disallowedTools`: tool rules that are always refused. */
  disallowedTools?: string[]
  /** `--permission-mode` (`default`, `acceptEdits`, `bypassPermissions`, `plan`, ...). @default env ADW_CLAUDE_PERMISSION_MODE */
  permissionMode?: string
  /** `--max-turns`. */
  maxTurns?: number
  /** Appended to Claude Code's system prompt (`--append-system-prompt`). */
  system?: string
  /** `json`: the final answer's JSON object is merged into the outputs (one corrective turn, like `agent`). @default text */
  output?: 'text' | 'json'
  /** JSON Schema the JSON answer must match (`output: json`). */
  schema?: Record<string, unknown>
  /**
   * The `agent` executor's tool list (Read, Write, Edit, Glob, Grep, Bash): these are allowed, the other
   * ones of that set are disallowed, so a read-only agent step stays read-only. @default no restriction
   */
  tools?: string[]
  /** Per-response output token limit (env CLAUDE_CODE_MAX_OUTPUT_TOKENS), for `agent` compatibility. */
  maxTokens?: number
  /** Extra arguments for `claude`, placed before the prompt. */
  args?: string[]
  /** The Claude Code binary. @default env ADW_CLAUDE_BIN, else `claude` on PATH */
  binary?: string
}

const strings = {type: 'array', items: {type: 'string'}}

export const schema: JsonSchema = {
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: {
    prompt: {type: 'string', description: 'The prompt; a slash command like "/plan add login" passes untouched'},
    model: {type: 'string', description: '--model (default: the run model, else Claude Code chooses)'},
    allowedTools: {...strings, description: '--allowedTools rules, e.g. ["Edit", "Bash(npm test:*)"]'},
    disallowedTools: {...strings, description: '--disallowedTools rules'},
    permissionMode: {type: 'string', description: '--permission-mode: default, acceptEdits, bypassPermissions, plan (default: env ADW_CLAUDE_PERMISSION_MODE)'},
    maxTurns: {type: 'integer', minimum: 1, description: '--max-turns'},
    system: {type: 'string', description: 'Appended to the system prompt (--append-system-prompt)'},
    output: {enum: ['text', 'json'], description: 'json: the final answer JSON object is merged into the outputs'},
    schema: {type: 'object', description: 'JSON Schema the JSON answer must match'},
    tools: {...strings, description: 'agent tool list (Read, Write, Edit, Glob, Grep, Bash): allowed; the rest of that set is disallowed'},
    maxTokens: {type: 'integer', minimum: 1, description: 'Output tokens per response (CLAUDE_CODE_MAX_OUTPUT_TOKENS)'},
    args: {...strings, description: 'Extra claude arguments, placed before the prompt'},
    binary: {type: 'string', description: 'Path or name of the claude binary (default: env ADW_CLAUDE_BIN, else claude on PATH)'},
  },
}

/** The `agent` executor's tools and the Claude Code tools each one stands for. */
const AGENT_TOOLS: Record<string, string[]> = {
  Read: ['Read'],
  Write: ['Write'],
  Edit: ['Edit', 'MultiEdit', 'NotebookEdit'],
  Glob: ['Glob'],
  Grep: ['Grep'],
  Bash: ['Bash'],
}

/** The argument array for `claude`; the prompt comes last, after `--`, as a single element. */
export function buildArgs(o: ClaudeCodeOptions, defaults: {model?: string; permissionMode?: string; resume?: string}): string[] {
  const argv = ['-p', '--output-format', 'stream-json', '--verbose']
  if (defaults.resume) argv.push('--resume', defaults.resume)
  const model = o.model || defaults.model
  if (model) argv.push('--model', model)
  if (o.maxTurns) argv.push('--max-turns', String(o.maxTurns))
  const mode = o.permissionMode || defaults.permissionMode
  if (mode) argv.push('--permission-mode', mode)
  if (o.system) argv.push('--append-system-prompt', o.system)
  const tools = o.tools ?? []
  const allowed = [...new Set([...(o.allowedTools ?? []), ...tools.flatMap(t => AGENT_TOOLS[t] ?? [t])])]
  const denied = o.tools ? Object.keys(AGENT_TOOLS).filter(t => !tools.includes(t)).flatMap(t => AGENT_TOOLS[t]) : []
  const disallowed = [...new Set([...(o.disallowedTools ?? []), ...denied])]
  if (allowed.length) argv.push('--allowedTools', ...allowed)
  if (disallowed.length) argv.push('--disallowedTools', ...disallowed)
  argv.push(...(o.args ?? []), '--', o.prompt)
  return argv
}

/** Where the binary is looked for, for messages: `with.binary`, ADW_CLAUDE_BIN, or PATH. */
export interface BinaryChoice {
  name: string
  source: 'with.binary' | 'ADW_CLAUDE_BIN' | 'PATH'
}

export function chooseBinary(binary: string | undefined, env: Readonly<Record<string, string | undefined>>): BinaryChoice {
  if (binary) return {name: binary, source: 'with.binary'}
  if (env.ADW_CLAUDE_BIN) return {name: env.ADW_CLAUDE_BIN, source: 'ADW_CLAUDE_BIN'}
  return {name: 'claude', source: 'PATH'}
}

/** The absolute path of an executable: a name with a slash resolves from `cwd`, a bare name from PATH. */
export function resolveBinary(name: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string | undefined {
  if (name.includes('/')) {
    const p = isAbsolute(name) ? name : resolve(cwd, name)
    return isExecutable(p) ? p : undefined
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const p = join(dir, name)
    if (isExecutable(p)) return p
  }
  return undefined
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK)
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** What to tell a user whose Claude Code binary cannot be found. */
export function missingBinaryMessage(choice: BinaryChoice): string {
  const what =
    choice.source === 'PATH'
      ? `"claude" is not on PATH`
      : `${choice.source} is "${choice.name}", which is not an executable file${choice.name.includes('/') ? '' : ' on PATH'}`
  return (
    `Claude Code CLI not found: ${what}. ` +
    'Install it with `npm install -g @anthropic-ai/claude-code`, or point adw at another binary ' +
    'with `with: { binary: /path/to/claude }` in the step or the ADW_CLAUDE_BIN environment variable.'
  )
}
