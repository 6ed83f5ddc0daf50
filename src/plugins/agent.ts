import {join} from 'node:path'
import type {StepExecutor} from './types.js'
import type {ModelPrice} from '../budget/prices.js'
import {TOOL_NAMES} from './agent/tools/names.js'

/** The `with:` block of an `agent` step. */
export interface AgentOptions {
  /** The task, sent as the first user message. */
  prompt: string
  /** Extra system instructions, after adw's own. */
  system?: string
  /** Model id; an empty string (an unset input rendered by a template) means "not given". @default ctx.model, else DEFAULT_MODEL */
  model?: string
  /** Most API calls in the tool loop. @default 50 */
  maxTurns?: number
  /** `max_tokens` of each call. @default 16000 */
  maxTokens?: number
  /** Built-in tools the model may use. @default all: Read, Write, Edit, Glob, Grep, Bash */
  tools?: string[]
  /** `text`: outputs `{text}`; `json`: the final answer's JSON object becomes the outputs. @default text */
  output?: 'text' | 'json'
  /** JSON Schema the JSON answer must match (`output: json`). */
  schema?: Record<string, unknown>
  /** Let the Bash tool's commands use the network: every host (the sandbox cannot filter by host). @default false */
  network?: boolean
}

/** The model used when neither the step, `--model`, `AGENT_MODEL` nor the config names one. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5'
export const DEFAULT_MAX_TURNS = 50
export const DEFAULT_MAX_TOKENS = 16_000

export interface AgentSettings {
  /** Prices that replace or extend the built-in table (config, later). */
  prices?: Readonly<Record<string, ModelPrice>>
  /** SDK retries for 429/5xx/529. @default 2 */
  maxRetries?: number
}

/** An `agent` executor; `settings` lets the config override prices and retries. */
export function createAgentExecutor(settings: AgentSettings = {}): StepExecutor<AgentOptions> {
  return {
    name: 'agent',
    description: 'A coding agent on the Anthropic Messages API: streaming tool loop (Read, Write, Edit, Glob, Grep, Bash) confined to the working directory',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['prompt'],
      properties: {
        prompt: {type: 'string', minLength: 1, description: 'The task for the agent'},
        system: {type: 'string', description: 'Extra system instructions'},
        model: {type: 'string', description: `Model id (default: --model, AGENT_MODEL, config agent_sdk.model, then ${DEFAULT_MODEL})`},
        maxTurns: {type: 'integer', minimum: 1, description: `Most API calls in the tool loop (default ${DEFAULT_MAX_TURNS})`},
        maxTokens: {type: 'integer', minimum: 1, description: `max_tokens per call (default ${DEFAULT_MAX_TOKENS})`},
        tools: {type: 'array', uniqueItems: true, items: {enum: TOOL_NAMES}, description: 'Tools the agent may use (default: all)'},
        output: {enum: ['text', 'json'], description: 'text → outputs.text; json → the answer JSON object is the outputs'},
        schema: {type: 'object', description: 'JSON Schema the JSON answer must match'},
        network: {type: 'boolean', description: 'Let Bash commands reach the network, every host (default: no network)'},
      },
    },
    // output: json makes the answer's fields the outputs, whatever they are.
    outputs: options => (options.output === 'json' ? undefined : {text: {type: 'string', description: "The agent's final answer"}}),
    // Priced from adw's price table per call (a USD budget refuses a model it lacks).
    models: (options, runModel) => [(typeof options.model === 'string' && options.model.trim()) || runModel?.trim() || DEFAULT_MODEL],
    preflight({env, workingDir}) {
      if (!env.ANTHROPIC_API_KEY?.trim()) {
        return `The agent executor needs ANTHROPIC_API_KEY. Set it in the environment or in ${join(workingDir, '.env')} (ANTHROPIC_API_KEY=...).`
      }
    },
    async run(options, ctx) {
      // The SDK and the tools load on first use, so commands that only list or validate start fast.
      const {runAgent} = await import('./agent/run.js')
      return runAgent(options, ctx, settings)
    },
  }
}

/** The built-in `agent` executor with the default price table. */
export const agent = createAgentExecutor()
