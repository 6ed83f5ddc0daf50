import {realpath} from 'node:fs/promises'
import {join} from 'node:path'
import type {ExecutorContext, StepResult} from '../types.js'
import {DEFAULT_MAX_TOKENS, DEFAULT_MAX_TURNS, DEFAULT_MODEL, type AgentOptions, type AgentSettings} from '../agent.js'
import {StepFailure} from '../failures.js'
import {createClient, describeApiError, DEFAULT_BASE_URL, routeSdkNotices} from './client.js'
import {converse} from './loop.js'
import {jsonInstruction} from './output.js'
import {baseSystemPrompt} from './prompt.js'
import {warnUser} from '../../sandbox/index.js'
import {selectTools} from './tools/index.js'
import {createRedactor} from '../../secrets/redactor.js'
import {exchangeRecorder} from './record.js'

/** Environment variables the Bash tool never sees. */
const SECRET_VARS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']

/** The `agent` executor's work: one tool loop over the Messages API. Loaded on the first agent step. */
export async function runAgent(options: AgentOptions, ctx: ExecutorContext, settings: AgentSettings): Promise<StepResult> {
  const apiKey = ctx.env.ANTHROPIC_API_KEY?.trim()
  if (!apiKey) throw new StepFailure('auth', `ANTHROPIC_API_KEY is not set (environment or ${join(ctx.workingDir, '.env')}).`)
  // The engine masks every secret of the run too; this keeps the executor safe when called on its own.
  const redact = createRedactor([apiKey, ctx.env.ANTHROPIC_AUTH_TOKEN])
  const log = redact.log(ctx.log)
  const progress = (text: string) => ctx.progress(redact.text(text))
  const model = options.model?.trim() || ctx.model?.trim() || DEFAULT_MODEL
  const baseURL = ctx.env.ANTHROPIC_BASE_URL?.trim() || DEFAULT_BASE_URL
  // A step with retry: is retried by the engine, whole: the SDK's own retries would multiply its attempts.
  const maxRetries = ctx.stepRetries ? 0 : (settings.maxRetries ?? 2)
  const client = createClient({apiKey, baseURL, maxRetries, warn: m => log('WARNING', 'error', m)})
  const root = await realpath(ctx.workingDir)
  const tools = selectTools(options.tools)
  const output = options.output ?? 'text'
  const toolEnv = Object.fromEntries(Object.entries(ctx.env).filter(([k]) => !SECRET_VARS.includes(k)))
  const changed = new Set<string>()
  log('INFO', 'state_change', `agent starting with ${model}`, {model, tools: tools.map(t => t.name), output, baseURL})
  try {
    const onExchange = ctx.record ? await exchangeRecorder(ctx, [root, ctx.workingDir]) : undefined
    const notice = (m: string) => log('WARNING', 'state_change', m.replace(/\s+/g, ' ').trim())
    const result = await routeSdkNotices(notice, () => converse({
      client,
      model,
      maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
      maxTurns: options.maxTurns ?? DEFAULT_MAX_TURNS,
      system: [baseSystemPrompt(root, tools), [options.system, output === 'json' ? jsonInstruction(options.schema) : ''].filter(Boolean).join('\n\n')],
      tools,
      prompt: options.prompt,
      output,
      schema: options.schema,
      prices: settings.prices ?? ctx.budget?.prices,
      budget: ctx.budget,
      tool: {root, signal: ctx.signal, env: toolEnv, sandbox: {mode: ctx.sandbox ?? 'on', runId: ctx.adwId, network: options.network ?? false, warn: warnUser(log)}},
      log,
      progress,
      reportUsage: u => ctx.reportUsage(u),
      changed,
      ...(onExchange ? {onExchange} : {}),
    }))
    const files = [...changed]
    const summary = files.length === 0 ? undefined : `changed ${files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ')}`
    return {outputs: result.outputs, ...(summary ? {summary} : {})}
  } catch (error) {
    throw redact.error(describeApiError(error, {baseURL, maxRetries, signal: ctx.signal}))
  }
}
