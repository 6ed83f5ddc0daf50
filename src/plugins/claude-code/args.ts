import {DEFAULT_PERMISSION_MODE, PERMISSION_MODES, type ClaudeCodeOptions, type PermissionMode} from './options.js'

/** The `agent` executor's tools and the Claude Code tools each one stands for. */
export const AGENT_TOOLS: Record<string, string[]> = {
  Read: ['Read'],
  Write: ['Write'],
  Edit: ['Edit', 'NotebookEdit'],
  Glob: ['Glob'],
  Grep: ['Grep'],
  Bash: ['Bash'],
}

/** The environment variable a user exports to accept `bypassPermissions` (read from the process, never `.env`). */
export const ALLOW_BYPASS_ENV = 'ADW_CLAUDE_ALLOW_BYPASS'

/** What buildArgs takes from outside the step's options. */
export interface ArgDefaults {
  model?: string
  permissionMode: PermissionMode
  /** A session to continue (`--resume`). */
  resume?: string
  /** `--json-schema`, when the binary has it. */
  jsonSchema?: Record<string, unknown>
}

const claudeTools = (tools: string[]) => tools.flatMap(t => AGENT_TOOLS[t] ?? [t])

/** File edits are the permission mode's to allow (acceptEdits by default), never pre-approved by adw. */
const EDIT_TOOLS = new Set(['Write', 'Edit', 'NotebookEdit'])

/**
 * The argument array for `claude`; the prompt comes last, after `--`, as a single element.
 * `tools` become the session's only built-in tools (`--tools`); those of them that are not file edits
 * (Bash above all, so build/fix can run the tests) are pre-approved (`--allowedTools`), as are the
 * agent's default ones when the step lists no tools. Edits follow the permission mode.
 */
export function buildArgs(o: ClaudeCodeOptions, d: ArgDefaults): string[] {
  const argv = ['-p', '--output-format', 'stream-json', '--verbose']
  if (d.resume) argv.push('--resume', d.resume)
  const model = o.model || d.model
  if (model) argv.push('--model', model)
  if (o.maxTurns) argv.push('--max-turns', String(o.maxTurns))
  argv.push('--permission-mode', d.permissionMode)
  if (o.system) argv.push('--append-system-prompt', o.system)
  if (o.tools) argv.push('--tools', [...new Set(claudeTools(o.tools))].join(','))
  const preApproved = claudeTools(o.tools ?? Object.keys(AGENT_TOOLS)).filter(t => !EDIT_TOOLS.has(t))
  const allowed = [...new Set([...(o.allowedTools ?? []), ...preApproved])]
  if (allowed.length) argv.push('--allowedTools', ...allowed)
  if (o.disallowedTools?.length) argv.push('--disallowedTools', ...new Set(o.disallowedTools))
  if (o.maxBudgetUsd) argv.push('--max-budget-usd', String(o.maxBudgetUsd))
  if (o.settingSources) argv.push('--setting-sources', o.settingSources.join(','))
  if (d.jsonSchema) argv.push('--json-schema', JSON.stringify(d.jsonSchema))
  argv.push(...(o.args ?? []), '--', o.prompt)
  return argv
}

/** The step's permission mode: `with.permissionMode`, else ADW_CLAUDE_PERMISSION_MODE, else acceptEdits. */
export function permissionModeOf(o: {permissionMode?: unknown}, env: Readonly<Record<string, string | undefined>>): {mode?: PermissionMode; problem?: string} {
  const mode = o.permissionMode ?? env.ADW_CLAUDE_PERMISSION_MODE ?? DEFAULT_PERMISSION_MODE
  if (typeof mode === 'string' && (PERMISSION_MODES as readonly string[]).includes(mode)) return {mode: mode as PermissionMode}
  return {problem: `ADW_CLAUDE_PERMISSION_MODE is "${String(mode)}", which is not a Claude Code permission mode: use one of ${PERMISSION_MODES.join(', ')}.`}
}

/**
 * Why a mode is refused, if it is: `bypassPermissions` runs every tool, Bash included, unasked and
 * unsandboxed, so it needs the user's explicit consent in the process environment (a cloned
 * repository's `.env` or pipeline cannot give it).
 */
export function bypassRefusal(mode: PermissionMode | undefined, processEnv: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (mode !== 'bypassPermissions' || processEnv[ALLOW_BYPASS_ENV] === '1') return undefined
  return (
    'permissionMode bypassPermissions lets Claude Code run every tool, Bash included, without asking and outside any sandbox, ' +
    `so adw refuses it unless you accept that: export ${ALLOW_BYPASS_ENV}=1 in the shell that runs adw (a .env file does not count), ` +
    'and only inside a container or a throwaway worktree. Usually acceptEdits with tools: or allowedTools: (e.g. "Bash(npm test:*)") is enough.'
  )
}

/** The mode a step really asks for: extra `args` cannot slip `bypassPermissions` past the check. */
export function effectiveMode(mode: PermissionMode | undefined, args: unknown): PermissionMode | undefined {
  const list = Array.isArray(args) ? args.map(String) : []
  const bypass = list.some(
    (a, i) => a === '--dangerously-skip-permissions' || a === '--permission-mode=bypassPermissions' || (a === '--permission-mode' && list[i + 1] === 'bypassPermissions'),
  )
  return bypass ? 'bypassPermissions' : mode
}

/** How to let a denied tool run, for the failure message. */
export function howToAllow(tool: string): string {
  if (tool === 'Write' || tool === 'Edit' || tool === 'NotebookEdit') return `permissionMode: acceptEdits, or allowedTools: [${tool}]`
  if (tool === 'Bash') return 'tools: [..., Bash], or allowedTools: ["Bash(npm test:*)"] for one command'
  return `allowedTools: [${tool}]`
}
