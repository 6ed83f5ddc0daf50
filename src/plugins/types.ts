/**
 * The step-executor contract, version 1. Everything a built-in or third-party executor
 * needs; executors never touch the database or the terminal directly.
 */

/** Severity of a log row, as stored in `agent_logs.log_level`. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'

/** Kind of a log row, as stored in `agent_logs.log_type`. */
export type LogType = 'milestone' | 'state_change' | 'tool_call' | 'cost_update' | 'performance' | 'error' | 'output'

/** Token usage and cost of one API call or of a whole step. All fields default to 0. */
export interface Usage {
  inputTokens?: number
  outputTokens?: number
  cacheCreationTokens?: number
  cacheReadTokens?: number
  /** USD; leave it out to have adw price the tokens from its table by `model` (a model it has no price for is never counted as $0). */
  costUsd?: number
  /** The model that was used, when known. */
  model?: string
}

/** The JSON Schema of an executor's `with:` block (draft-07 subset that ajv accepts). */
export type JsonSchema = Record<string, unknown>

/** What the engine hands to `run()`. */
export interface ExecutorContext {
  /** The run's id (`--adw-id`). */
  adwId: string
  /** The step's `id` from the pipeline. */
  stepId: string
  /** 1-based loop iteration; 0 outside loops. */
  iteration: number
  /** Absolute path of the run's working directory. Agents must stay inside it. */
  workingDir: string
  /** Aborted on per-step timeout, Ctrl-C or SIGTERM. Stop work and reject promptly. */
  signal: AbortSignal
  /**
   * Environment: process.env merged with the working directory's `.env` (process.env wins), plus
   * `ADW_TAG_<n>`: the values of the `{{tags}}` in the executor's `shellOptions`.
   */
  env: Readonly<Record<string, string | undefined>>
  /** Run-level default model (`--model` > `AGENT_MODEL` > config `agent_sdk.model`), if any. */
  model?: string
  /**
   * `off` when the user turned the command sandbox off (`sandbox: off` in adw.config.yaml or
   * ADW_SANDBOX=off): executors that sandbox commands (src/sandbox/) then run them unconfined. @default 'on'
   */
  sandbox?: 'on' | 'off'
  /**
   * True when the step has a `retry:` policy: the engine tries the whole step again on a transient
   * failure, so an executor must not retry on its own as well (the agent then makes no SDK retries,
   * claude-code gets CLAUDE_CODE_MAX_RETRIES=0 unless its `maxRetries` says otherwise): one retry
   * layer, the one the pipeline wrote.
   */
  stepRetries?: boolean
  /** Record a log row for this step (batched; flushed at every step transition). */
  log(level: LogLevel, type: LogType, message: string, details?: unknown): void
  /** Short live status for the terminal (current tool call, last line of text). Not stored. */
  progress(text: string): void
  /**
   * Report usage of one API call as it happens: adds to the step's and the run's totals
   * and records a `cost_update` row. Usage returned from `run()` is then not added again.
   */
  reportUsage(usage: Usage): void
  /**
   * Present when the run records its model exchanges (adw.config.yaml `record:`, on by default), for
   * `adw replay`. `messages`: one API call of the step (turn 1-based), the hash of its request's stable
   * parts and its new part (src/replay/request.ts), and the API's full response; `transcript`: a CLI's
   * whole stream-json output (one invocation of it: turn 1, 2, ...). The engine masks secrets and
   * applies the run's size cap; a failure to record never fails the step.
   */
  record?(recording: ExchangeRecord): Promise<void>
  /**
   * The run's budget as this step sees it. `remaining()`: what is left before the first limit on the
   * step (its own, its loop's, the run's); absent fields have no limit. An executor that makes several
   * API calls checks it before each one and stops between calls when nothing is left (the engine also
   * aborts `signal` once a report reaches a limit). `prices`: adw's price table for this run (the
   * built-in one with adw.config.yaml's prices:); usage reported without `costUsd` is priced from it.
   */
  budget?: {
    remaining(): {usd?: number; tokens?: number; ms?: number}
    prices: Readonly<Record<string, {input: number; output: number; cacheWrite: number; cacheRead: number}>>
  }
}

/** One recording an executor hands to `ctx.record` (see ExecutorContext.record). */
export type ExchangeRecord =
  | {kind: 'messages'; turn: number; requestHash: string; request: unknown; response: unknown}
  | {kind: 'transcript'; turn: number; transcript: string}

/** What `run()` may return. */
export interface StepResult {
  /** Becomes `steps.<id>.outputs` for later templates and conditions. */
  outputs?: Record<string, unknown>
  /** Total usage, when not reported call by call through `ctx.reportUsage`. */
  usage?: Usage
  /**
   * One line on what the step did, shown in its title when it finishes (`changed src/a.ts, README.md`).
   * Without it adw derives one from the outputs: a review's verdict and issue count, a script's last line.
   */
  summary?: string
}

/** Context for `preflight`, called once per executor used, before the run starts. */
export interface PreflightContext {
  env: Readonly<Record<string, string | undefined>>
  workingDir: string
  /** The (untemplated) `with:` blocks of every step that uses this executor. */
  options?: Record<string, unknown>[]
}

/** The type of one output, in CEL's words (conditions are type-checked against it at load time). */
export type OutputType = 'string' | 'int' | 'double' | 'bool' | 'list' | 'map' | 'dyn'

/** The outputs a step of an executor has, by name: `{exitCode: {type: 'int'}}`. */
export type OutputDeclarations = Record<string, {type: OutputType; description?: string}>

/** A step executor: what a pipeline's `uses:` names. */
export interface StepExecutor<Options = any> {
  /** The name `uses:` refers to. */
  name: string
  /**
   * The executor's own version, part of every resume key of its steps (src/engine/memo.ts): change
   * it when the same options would now do something different, and `--resume` runs its completed
   * steps again instead of reusing them.
   */
  version?: string
  description?: string
  /** JSON Schema of the `with:` block; checked when the pipeline loads and again after templating. */
  schema?: JsonSchema
  /**
   * Option names that hold shell code (the `shell` executor lists `run`). In them each `{{x}}` is
   * rendered as a reference to an environment variable (`"${ADW_TAG_1}"`, or `${ADW_TAG_1}` inside
   * double quotes and unquoted heredocs) whose value arrives in `ctx.env`: pass `ctx.env` to the
   * process that runs the code, and the shell expands each value without ever parsing it. A tag
   * where that is impossible (single quotes, arithmetic, `eval`, ...) fails the pipeline's load;
   * `{{{x}}}` / `{{& x}}` need `unsafeRaw: true` on the step.
   */
  shellOptions?: string[]
  /**
   * The outputs a step of this executor has, or a function of the step's (untemplated) `with:` block
   * giving them. When declared, `adw validate` reports a template or condition that reads another
   * output (a typo) and type-checks conditions against the types. Undeclared (or undefined from the
   * function): any output name is accepted, as before.
   */
  outputs?: OutputDeclarations | ((options: Record<string, unknown>) => OutputDeclarations | undefined)
  /**
   * The models a step of this executor calls, given its (untemplated) `with:` block and the run's
   * default model, so that a USD budget can refuse a model with no known price before the run starts.
   * Leave it out when the executor reports its own cost (`Usage.costUsd`) or calls no model.
   */
  models?(options: Record<string, unknown>, runModel: string | undefined): string[]
  /** Checks the environment before any step runs; return a message to refuse the run (exit 2). */
  preflight?(ctx: PreflightContext): string | undefined | void
  run(options: Options, ctx: ExecutorContext): Promise<StepResult | void>
}
