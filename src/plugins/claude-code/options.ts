import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, isAbsolute, join, resolve} from 'node:path'
import type {JsonSchema} from '../types.js'

/** Claude Code's permission modes (`--permission-mode`). */
export const PERMISSION_MODES = ['acceptEdits', 'default', 'plan', 'dontAsk', 'auto', 'bypassPermissions'] as const
export type PermissionMode = (typeof PERMISSION_MODES)[number]

/** adw's default: file edits go through unasked; anything else needs a rule (an unattended step cannot be asked). */
export const DEFAULT_PERMISSION_MODE: PermissionMode = 'acceptEdits'
/** API retries Claude Code may make per request (its own default is 10, about 3 minutes of back-off). */
export const DEFAULT_MAX_RETRIES = 5

/** The `with:` block of a `uses: claude-code` step. */
export interface ClaudeCodeOptions {
  /** The prompt, passed as one argument: a slash command such as `/plan add login` works. */
  prompt: string
  /** `--model`. @default the run's model (`--model`, AGENT_MODEL, config), else Claude Code's own */
  model?: string
  /** `--allowedTools`: tool rules that run without asking, e.g. `Edit`, `Bash(npm test:*)`. */
  allowedTools?: string[]
  /** `--disallowedTools`: tool rules that are always refused (they win over every allow rule). */
  disallowedTools?: string[]
  /** `--permission-mode`. `bypassPermissions` is refused unless ADW_CLAUDE_ALLOW_BYPASS=1 is exported. @default env ADW_CLAUDE_PERMISSION_MODE, else acceptEdits */
  permissionMode?: PermissionMode
  /** What a permission denial does to the step: `fail` it (naming the tool), or `warn` and go on. @default fail */
  onDenied?: 'fail' | 'warn'
  /** `--max-turns`. */
  maxTurns?: number
  /** Appended to Claude Code's system prompt (`--append-system-prompt`). */
  system?: string
  /** `json`: the final answer's JSON object is merged into the outputs (`--json-schema`, else one corrective turn). @default text */
  output?: 'text' | 'json'
  /** JSON Schema the JSON answer must match (`output: json`). */
  schema?: Record<string, unknown>
  /**
   * The `agent` executor's tool list (Read, Write, Edit, Glob, Grep, Bash): the only built-in tools the
   * session has (`--tools`); all but file edits are pre-approved (`--allowedTools`). @default Claude Code's tools, the agent's non-edit ones pre-approved
   */
  tools?: string[]
  /** Per-response output token limit (env CLAUDE_CODE_MAX_OUTPUT_TOKENS), for `agent` compatibility. */
  maxTokens?: number
  /** API retries per request (env CLAUDE_CODE_MAX_RETRIES). @default env CLAUDE_CODE_MAX_RETRIES, else 5 */
  maxRetries?: number
  /** `--max-budget-usd`: Claude Code stops the session once it has spent this much. */
  maxBudgetUsd?: number
  /** `--setting-sources`: which of the user's Claude Code settings files load. @default all (Claude Code's own) */
  settingSources?: ('user' | 'project' | 'local')[]
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
    disallowedTools: {...strings, description: '--disallowedTools rules (win over allow rules)'},
    permissionMode: {enum: [...PERMISSION_MODES], description: '--permission-mode (default: env ADW_CLAUDE_PERMISSION_MODE, else acceptEdits)'},
    onDenied: {enum: ['fail', 'warn'], description: 'A permission denial fails the step (default) or only warns'},
    maxTurns: {type: 'integer', minimum: 1, description: '--max-turns'},
    system: {type: 'string', description: 'Appended to the system prompt (--append-system-prompt)'},
    output: {enum: ['text', 'json'], description: 'json: the final answer JSON object is merged into the outputs'},
    schema: {type: 'object', description: 'JSON Schema the JSON answer must match (--json-schema)'},
    tools: {...strings, description: 'agent tool list (Read, Write, Edit, Glob, Grep, Bash): the only built-in tools; all but file edits pre-approved'},
    maxTokens: {type: 'integer', minimum: 1, description: 'Output tokens per response (CLAUDE_CODE_MAX_OUTPUT_TOKENS)'},
    maxRetries: {type: 'integer', minimum: 0, description: `API retries per request (CLAUDE_CODE_MAX_RETRIES; default ${DEFAULT_MAX_RETRIES})`},
    maxBudgetUsd: {type: 'number', exclusiveMinimum: 0, description: '--max-budget-usd: stop once the session has spent this many dollars'},
    settingSources: {type: 'array', items: {enum: ['user', 'project', 'local']}, description: '--setting-sources: which Claude Code settings files load (default: all)'},
    args: {...strings, description: 'Extra claude arguments, placed before the prompt'},
    binary: {type: 'string', description: 'Path or name of the claude binary (default: env ADW_CLAUDE_BIN, else claude on PATH)'},
  },
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
