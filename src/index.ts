/**
 * adw's public API: the step-executor contract (version 1) for plugins and local modules.
 *
 * ```js
 * // hooks/executors.js of a plugin, declared as "oclif": {"hooks": {"adw:executors": "./hooks/executors.js"}}
 * export default async () => [{name: 'hello', async run(options, ctx) { ctx.log('INFO', 'output', 'hi'); return {outputs: {}} }}]
 * ```
 */
import type {StepExecutor} from './plugins/types.js'

export type {ExecutorContext, JsonSchema, LogLevel, LogType, OutputDeclarations, OutputType, PreflightContext, StepExecutor, StepResult, Usage} from './plugins/types.js'
export type {AdwHooks} from './plugins/registry.js'
export {EXECUTOR_API_VERSION} from './plugins/version.js'

/** Returns its argument: types `options` from the generic and `ctx` in a plain object literal. */
export function defineExecutor<Options = Record<string, unknown>>(executor: StepExecutor<Options>): StepExecutor<Options> {
  return executor
}
