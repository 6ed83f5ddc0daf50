import {realpathSync} from 'node:fs'
import type {ExecutorContext} from '../plugins/types.js'
import type {Launch} from './index.js'

/** A step's `sandbox:` option: `true`, or `{network: true}` to also share the host's network. */
export type StepSandboxOption = boolean | {network?: boolean}

/** The JSON Schema of a step's `sandbox:` option, for executors that offer it. */
export const STEP_SANDBOX_SCHEMA = {
  description: 'Run in the command sandbox (README "Security"): true, or {network: true} to allow the network',
  oneOf: [{type: 'boolean'}, {type: 'object', additionalProperties: false, properties: {network: {type: 'boolean'}}}],
}

/**
 * How a step's command starts: unchanged without `sandbox`, else through sandboxLaunch with the
 * run's setting. `set` holds the variables the step chose (its `env:`, ADW_ID, ...); unsandboxed
 * they join ctx.env, sandboxed they join the allow-listed minimum.
 */
export async function stepLaunch(ctx: ExecutorContext, req: {command: string[]; cwd: string; set: Record<string, string>; sandbox?: StepSandboxOption}): Promise<Launch> {
  if (!req.sandbox) return {file: req.command[0], args: req.command.slice(1), env: {...ctx.env, ...req.set}, cwd: req.cwd, sandboxed: false}
  // Loaded on first use: a run without sandboxed steps does not pay for it at start.
  const {sandboxLaunch, warnUser} = await import('./index.js')
  return sandboxLaunch(
    {command: req.command, workingDir: realpathSync(ctx.workingDir), cwd: req.cwd, env: ctx.env, set: req.set, network: typeof req.sandbox === 'object' && req.sandbox.network === true},
    {mode: ctx.sandbox ?? 'on', runId: ctx.adwId, warn: warnUser(ctx.log)},
  )
}
