/**
 * Span attribute names: the OpenTelemetry GenAI semantic conventions (gen_ai.*, error.type) and
 * adw's own (adw.*). The GenAI names are written here, as the Anthropic SDK does, because
 * @opentelemetry/semantic-conventions keeps them in its `incubating` entry point, which is not
 * stable across its minor versions.
 */
import type {Attributes} from '@opentelemetry/api'

export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  /** Deprecated in favour of gen_ai.provider.name, still read by several backends (Langfuse, older Tempo dashboards). */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  agentName: 'gen_ai.agent.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
} as const

export const ADW = {
  id: 'adw.id',
  pipeline: 'adw.pipeline',
  resumed: 'adw.resumed',
  status: 'adw.status',
  costUsd: 'adw.cost_usd',
  stepId: 'adw.step.id',
  stepName: 'adw.step.name',
  executor: 'adw.step.executor',
  iteration: 'adw.step.iteration',
  index: 'adw.step.index',
  attempt: 'adw.step.attempt',
  /** A fan-out's number of items. */
  items: 'adw.step.items',
  reason: 'adw.step.reason',
  outcome: 'adw.step.outcome',
  loopIterations: 'adw.loop.iterations',
  loopOutcome: 'adw.loop.outcome',
} as const

export const ERROR_TYPE = 'error.type'

/** Executors whose steps are agent invocations (gen_ai.operation.name invoke_agent). */
const AGENT_EXECUTORS = new Set(['agent', 'claude-code'])
export const isAgentExecutor = (name: string): boolean => AGENT_EXECUTORS.has(name)

/** Token usage and cost as attributes; absent fields are left out. */
export function usageAttributes(u: {inputTokens?: number; outputTokens?: number; cacheReadTokens?: number; cacheCreationTokens?: number; costUsd?: number} | undefined): Attributes {
  if (!u) return {}
  const out: Attributes = {}
  if (typeof u.inputTokens === 'number') out[GEN_AI.inputTokens] = u.inputTokens
  if (typeof u.outputTokens === 'number') out[GEN_AI.outputTokens] = u.outputTokens
  if (typeof u.cacheReadTokens === 'number') out[GEN_AI.cacheReadTokens] = u.cacheReadTokens
  if (typeof u.cacheCreationTokens === 'number') out[GEN_AI.cacheCreationTokens] = u.cacheCreationTokens
  if (typeof u.costUsd === 'number') out[ADW.costUsd] = u.costUsd
  return out
}
