/**
 * Version of the step-executor contract (src/plugins/types.ts). adw passes it to every plugin's
 * `adw:executors` hook as `options.apiVersion`; it changes only when the contract breaks.
 */
export const EXECUTOR_API_VERSION = 1
