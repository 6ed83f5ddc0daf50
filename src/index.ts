/**
 * adw's public API: the step-executor contract (version 1) for plugins and local modules.
 *
 * ```js
 * // hooks/executors.js of a plugin, declared as "oclif": {"hooks": {"adw:executors": "./hooks/executors.js"}}
 * export default async () => [{name: 'hello', async run(options, ctx) { ctx.log('INFO', 'output', 'hi'); return {outputs: {}} }}]
 * ```
 *
 * A step fails by throwing. Throw a StepFailure to say what kind of failure it is, so a step's
 * `retry:` can try again after a rate limit but never after a refused key:
 *
 * ```js
 * import {StepFailure} from 'adw'
 * if (res.status === 429) throw new StepFailure('rate_limit', 'the service is busy', {retryAfterMs: 2000})
 * ```
 *
 * Anything else thrown is classified (classify()): HTTP statuses, retry-after headers, connection
 * errors, exit codes, aborts.
 */
import type {StepExecutor} from './plugins/types.js'

export type {ExecutorContext, JsonSchema, LogLevel, LogType, OutputDeclarations, OutputType, PreflightContext, StepExecutor, StepResult, Usage} from './plugins/types.js'
export type {AdwHooks} from './plugins/registry.js'
export {EXECUTOR_API_VERSION} from './plugins/version.js'
export {classify, kindOfStatus, retryAfterMs, StepFailure} from './plugins/failures.js'
export type {FailureKind, StepFailureOptions} from './plugins/failures.js'
export type {RetryOn, RetryPolicy} from './pipeline/types.js'

/** Returns its argument: types `options` from the generic and `ctx` in a plain object literal. */
export function defineExecutor<Options = Record<string, unknown>>(executor: StepExecutor<Options>): StepExecutor<Options> {
  return executor
}
