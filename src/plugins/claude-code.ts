import {checkSchema, correctionPrompt, extractJson, jsonInstruction} from './agent/output.js'
import {buildArgs, bypassRefusal, effectiveMode, permissionModeOf} from './claude-code/args.js'
import {denialMessage} from './claude-code/failure.js'
import {StepFailure} from './failures.js'
import {chooseBinary, DEFAULT_MAX_RETRIES, missingBinaryMessage, resolveBinary, schema, type ClaudeCodeOptions} from './claude-code/options.js'
import type {Invocation} from './claude-code/spawn.js'
import type {ClaudeResult} from './claude-code/stream.js'
import {clip} from './claude-code/summary.js'
import type {ExecutorContext, PreflightContext, StepExecutor} from './types.js'

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
    for (const o of ctx.options ?? [{}]) {
      if (typeof o.permissionMode === 'string' && o.permissionMode.includes('{{')) continue
      const {mode, problem} = permissionModeOf(o, ctx.env)
      const refusal = problem ?? bypassRefusal(effectiveMode(mode, o.args))
      if (refusal) return refusal
    }
  },
  async run(options, ctx) {
    const {invoke} = await import('./claude-code/spawn.js') // execa loads on first use: listing and validating start fast
    const choice = chooseBinary(options.binary, ctx.env)
    const bin = resolveBinary(choice.name, ctx.env, ctx.workingDir)
    if (!bin) throw new StepFailure('invalid', missingBinaryMessage(choice))
    const {mode, problem} = permissionModeOf(options, ctx.env)
    const refusal = problem ?? bypassRefusal(effectiveMode(mode, options.args))
    if (refusal || !mode) throw new StepFailure('invalid', refusal ?? 'no permission mode')
    const json = options.output === 'json'
    const jsonSchema = json && options.schema && (await supportsJsonSchema(bin, ctx)) ? options.schema : undefined
    // With --json-schema Claude Code itself makes the model answer through a validated tool call.
    const system = [options.system, json && !jsonSchema ? jsonInstruction(options.schema) : ''].filter(Boolean).join('\n\n') || undefined
    const env = {
      // Under a step's retry: the engine retries; claude's own retries only when the step's maxRetries asks for them.
      CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? (ctx.stepRetries ? 0 : (ctx.env.CLAUDE_CODE_MAX_RETRIES ?? DEFAULT_MAX_RETRIES))),
      ...(options.maxTokens ? {CLAUDE_CODE_MAX_OUTPUT_TOKENS: String(options.maxTokens)} : {}),
    }
    const defaults = {model: ctx.model, permissionMode: mode, jsonSchema}
    let calls = 0
    const call = async (o: ClaudeCodeOptions, resume?: string) => {
      // Under a USD budget the CLI gets what is left as its own limit (--max-budget-usd).
      const left = ctx.budget?.remaining().usd
      if (left !== undefined && left <= 0) throw new StepFailure('budget', 'The budget is spent: Claude Code is not started.')
      const budgeted = left === undefined ? o : {...o, maxBudgetUsd: Math.min(o.maxBudgetUsd ?? Infinity, Number(left.toFixed(4)) || 0.0001)}
      const inv: Invocation = {bin, choice, argv: buildArgs(budgeted, {...defaults, resume}), env, model: o.model || ctx.model, call: ++calls}
      const done = await invoke(inv, ctx)
      checkDenials(done.result, options, ctx)
      return done
    }

    const first = await call({...options, system})
    if (!json) return {outputs: outputsOf(first.result, first.sessionId)}
    let parsed = parseAnswer(first.result, options.schema)
    if (parsed.ok) return {outputs: {...outputsOf(first.result, first.sessionId), ...parsed.value}}
    if (!first.sessionId) throw jsonError(parsed.problem, first.result)
    // Like the agent: one corrective turn, in the same Claude Code session.
    ctx.log('WARNING', 'state_change', `Final answer rejected (${parsed.problem}); asking Claude Code once to correct it.`)
    const second = await call({...options, system, prompt: correctionPrompt(parsed.problem, options.schema)}, first.sessionId)
    parsed = parseAnswer(second.result, options.schema)
    if (!parsed.ok) throw jsonError(parsed.problem, second.result)
    return {outputs: {...outputsOf(second.result, second.sessionId), ...parsed.value}}
  },
}

async function supportsJsonSchema(bin: string, ctx: ExecutorContext): Promise<boolean> {
  const {hasFlag} = await import('./claude-code/features.js')
  const {CLAUDECODE: _nested, ...env} = ctx.env
  return hasFlag(bin, '--json-schema', env)
}

/** A tool Claude Code refused is work the step did not do: fail (the default) or warn. */
function checkDenials(r: ClaudeResult, o: ClaudeCodeOptions, ctx: ExecutorContext): void {
  const tools = (r.permission_denials ?? []).map(d => String(d.tool_name ?? 'tool'))
  if (tools.length === 0) return
  if (o.onDenied !== 'warn') throw new StepFailure('invalid', denialMessage(tools))
  ctx.log('WARNING', 'state_change', `Going on despite ${tools.length} permission denial(s) (onDenied: warn): ${[...new Set(tools)].join(', ')}`)
}

function outputsOf(r: ClaudeResult, sessionId?: string): Record<string, unknown> {
  return {text: r.result ?? '', sessionId, numTurns: r.num_turns, costUsd: r.total_cost_usd}
}

function parseAnswer(r: ClaudeResult, schema?: Record<string, unknown>): {ok: true; value: Record<string, unknown>} | {ok: false; problem: string} {
  const so = r.structured_output
  const parsed = so && typeof so === 'object' && !Array.isArray(so) ? {ok: true as const, value: so as Record<string, unknown>} : extractJson(r.result ?? '')
  if (!parsed.ok) return parsed
  const problems = schema ? checkSchema(parsed.value, schema) : []
  return problems.length ? {ok: false, problem: `the JSON does not match the schema: ${problems.join('; ')}`} : parsed
}

function jsonError(problem: string, r: ClaudeResult): Error {
  return new StepFailure('invalid', `Claude Code's final answer is not the JSON the step asks for (output: json): ${problem}. Received: ${clip((r.result ?? '').trim() || '(empty)', 300)}`)
}
