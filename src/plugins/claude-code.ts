import {checkSchema, correctionPrompt, extractJson, jsonInstruction} from './agent/output.js'
import {buildArgs, chooseBinary, missingBinaryMessage, resolveBinary, schema, type ClaudeCodeOptions} from './claude-code/options.js'
import type {Invocation} from './claude-code/spawn.js'
import type {ClaudeResult} from './claude-code/stream.js'
import {clip} from './claude-code/summary.js'
import type {PreflightContext, StepExecutor} from './types.js'

export type {ClaudeCodeOptions} from './claude-code/options.js'

/** Runs the Claude Code CLI headless (`claude -p --output-format stream-json`) and records its events. */
export const claudeCode: StepExecutor<ClaudeCodeOptions> = {
  name: 'claude-code',
  description: 'Runs the Claude Code CLI (claude -p, stream-json) in the working directory; outputs text, sessionId, numTurns, costUsd',
  schema,
  /** `options`, when the engine passes them, are the `with:` blocks of the steps using this executor. */
  preflight(ctx: PreflightContext & {options?: Record<string, unknown>[]}) {
    const named = (ctx.options ?? []).map(o => o.binary).filter((b): b is string => typeof b === 'string' && !b.includes('{{'))
    const needDefault = !ctx.options || ctx.options.some(o => typeof o.binary !== 'string')
    for (const choice of [...named.map(b => chooseBinary(b, ctx.env)), ...(needDefault ? [chooseBinary(undefined, ctx.env)] : [])]) {
      if (!resolveBinary(choice.name, ctx.env, ctx.workingDir)) return missingBinaryMessage(choice)
    }
  },
  async run(options, ctx) {
    const {invoke} = await import('./claude-code/spawn.js') // execa loads on first use: listing and validating start fast
    const choice = chooseBinary(options.binary, ctx.env)
    const bin = resolveBinary(choice.name, ctx.env, ctx.workingDir)
    if (!bin) throw new Error(missingBinaryMessage(choice))
    const json = options.output === 'json'
    const system = [options.system, json ? jsonInstruction(options.schema) : ''].filter(Boolean).join('\n\n') || undefined
    const defaults = {model: ctx.model, permissionMode: ctx.env.ADW_CLAUDE_PERMISSION_MODE}
    const env = options.maxTokens ? {CLAUDE_CODE_MAX_OUTPUT_TOKENS: String(options.maxTokens)} : undefined
    const call = (o: ClaudeCodeOptions, resume?: string): Invocation => ({bin, choice, argv: buildArgs(o, {...defaults, resume}), env, model: o.model || ctx.model})

    const first = await invoke(call({...options, system}), ctx)
    if (!json) return {outputs: outputsOf(first.result, first.sessionId)}
    let parsed = parseAnswer(first.result.result ?? '', options.schema)
    if (parsed.ok) return {outputs: {...outputsOf(first.result, first.sessionId), ...parsed.value}}
    if (!first.sessionId) throw jsonError(parsed.problem, first.result)
    // Like the agent: one corrective turn, in the same Claude Code session.
    ctx.log('WARNING', 'state_change', `Final answer rejected (${parsed.problem}); asking Claude Code once to correct it.`)
    const second = await invoke(call({...options, system, prompt: correctionPrompt(parsed.problem, options.schema)}, first.sessionId), ctx)
    parsed = parseAnswer(second.result.result ?? '', options.schema)
    if (!parsed.ok) throw jsonError(parsed.problem, second.result)
    return {outputs: {...outputsOf(second.result, second.sessionId), ...parsed.value}}
  },
}

function outputsOf(r: ClaudeResult, sessionId?: string): Record<string, unknown> {
  return {text: r.result ?? '', sessionId, numTurns: r.num_turns, costUsd: r.total_cost_usd}
}

function parseAnswer(text: string, schema?: Record<string, unknown>): {ok: true; value: Record<string, unknown>} | {ok: false; problem: string} {
  const parsed = extractJson(text)
  if (!parsed.ok) return parsed
  const problems = schema ? checkSchema(parsed.value, schema) : []
  return problems.length ? {ok: false, problem: `the JSON does not match the schema: ${problems.join('; ')}`} : parsed
}

function jsonError(problem: string, r: ClaudeResult): Error {
  return new Error(`Claude Code's final answer is not the JSON the step asks for (output: json): ${problem}. Received: ${clip((r.result ?? '').trim() || '(empty)', 300)}`)
}
