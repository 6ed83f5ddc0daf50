import {checkOptions} from '../pipeline/schema.js'
import {renderStepOptions, type RenderedStep} from '../pipeline/shell/render.js'
import type {ActionStep} from '../pipeline/types.js'
import {duration as formatMs} from '../history/format.js'
import {StepFailure} from '../plugins/failures.js'
import type {ExecutorContext, Usage} from '../plugins/types.js'

/** How long an executor may take to honour an abort before the engine stops waiting for it. */
const ABORT_GRACE_MS = 5000

/** What one execution of an action step came to. */
export interface Attempt {
  outputs: Record<string, unknown>
  /** Usage returned by `run()` (executors may instead report it call by call). */
  usage?: Usage
  /** Set when the step failed, timed out or was cancelled. */
  error?: Error
  /** The executor's one-line summary (StepResult.summary). */
  summary?: string
}

/** Renders the step's `with:` over `scope` (once per step run: its resume key is computed from the result); an error says why it does not render. */
export async function render(step: ActionStep, scope: Record<string, unknown>): Promise<RenderedStep | Error> {
  try {
    return await renderStepOptions(step.with, scope, step.executor.shellOptions ?? [], {unsafeRaw: step.unsafeRaw, stepId: step.id})
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
}

/**
 * Re-checks the rendered options against the executor's schema and runs the executor under
 * `controller` (timeout and cancel abort it). Never throws: a failure is `error` (a `with:` that
 * did not render among them), with any outputs the error carried (a shell step's exit code under
 * continueOnError).
 */
export async function invoke(step: ActionStep, rendered: RenderedStep | Error, ctx: ExecutorContext, controller: AbortController): Promise<Attempt> {
  let timer: NodeJS.Timeout | undefined
  // Typed, so a retry policy can tell a timeout (on: [timeout]) from a cancel; the message is as before.
  if (step.timeoutMs) timer = setTimeout(() => controller.abort(new StepFailure('timeout', `timed out after ${formatMs(step.timeoutMs!)}`)), step.timeoutMs)
  try {
    if (rendered instanceof Error) throw rendered
    const {options, env} = rendered
    const problems = checkOptions(step.executor, options, step.id)
    if (problems.length) throw new Error(problems.join('; '))
    // The values of the shell options' tags travel as environment variables, never as script text.
    const exec = step.executor.run(options, Object.keys(env).length > 0 ? {...ctx, env: {...ctx.env, ...env}} : ctx)
    // An executor that ignores its signal still lets the run go on, after a grace period.
    const abandoned = new Promise<never>((_, reject) => {
      const give = () => setTimeout(() => reject(controller.signal.reason), ABORT_GRACE_MS).unref()
      if (controller.signal.aborted) give()
      else controller.signal.addEventListener('abort', give, {once: true})
    })
    abandoned.catch(() => {})
    const result = await Promise.race([exec, abandoned])
    if (controller.signal.aborted) throw controller.signal.reason
    return {outputs: result?.outputs ?? {}, usage: result?.usage, ...(typeof result?.summary === 'string' ? {summary: result.summary} : {})}
  } catch (e) {
    const error = controller.signal.aborted ? (controller.signal.reason as Error) : e instanceof Error ? e : new Error(String(e))
    const carried = (e as {outputs?: unknown})?.outputs
    return {outputs: carried && typeof carried === 'object' ? (carried as Record<string, unknown>) : {}, error}
  } finally {
    if (timer) clearTimeout(timer)
  }
}
