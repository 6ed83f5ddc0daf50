import type {StepExecutor} from './types.js'

export interface NoopOptions {
  /** Returned as the step's outputs. */
  outputs?: Record<string, unknown>
  /** Log lines to record, for tests and benchmarks of the store. @default 0 */
  logLines?: number
  /** Wait this many milliseconds (abortable). @default 0 */
  sleepMs?: number
  /** Fail with this message. */
  fail?: string
}

/** Does nothing, fast: for engine tests, benchmarks and dry pipelines. */
export const noop: StepExecutor<NoopOptions> = {
  name: 'noop',
  description: 'Does nothing: returns `outputs` as given, optionally logs, sleeps or fails (tests and benchmarks)',
  outputs: options => (options.outputs && typeof options.outputs === 'object' ? Object.fromEntries(Object.keys(options.outputs).map(k => [k, {type: 'dyn' as const}])) : undefined),
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      outputs: {type: 'object', description: 'Returned as the step outputs'},
      logLines: {type: 'integer', minimum: 0, description: 'Number of output log rows to write'},
      sleepMs: {type: 'integer', minimum: 0, description: 'Milliseconds to wait (abortable)'},
      fail: {type: 'string', description: 'Fail the step with this message'},
    },
  },
  async run(options, ctx) {
    for (let i = 0; i < (options.logLines ?? 0); i++) ctx.log('INFO', 'output', `line ${i + 1}`)
    if (options.sleepMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, options.sleepMs)
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t)
          reject(ctx.signal.reason ?? new Error('aborted'))
        }, {once: true})
      })
    }
    if (options.fail) throw new Error(options.fail)
    return {outputs: options.outputs ?? {}}
  },
}
