import type {PipelineBudgets} from '../budget/limits.js'
import type {StepExecutor} from '../plugins/types.js'

/** Where something stands in a pipeline file (1-based). */
export interface SourcePos {
  file: string
  line: number
  col: number
}

/** A declared pipeline input. */
export interface InputDef {
  type: 'string' | 'number' | 'boolean'
  required?: boolean
  default?: unknown
  description?: string
  /** Steps receive the value; the store, logs and view show MASK. Never has a default. */
  secret?: boolean
}

/** A condition compiled at load time (CEL). */
export interface Condition {
  source: string
  pos: SourcePos
  /** Evaluates against `{inputs, steps, run, env}`; throws a readable Error on a missing key. */
  evaluate(scope: Record<string, unknown>): boolean
}

interface StepBase {
  id: string
  name?: string
  if?: Condition
  pos: SourcePos
}

/** A step that runs an executor. */
export interface ActionStep extends StepBase {
  kind: 'action'
  uses: string
  executor: StepExecutor
  with: Record<string, unknown>
  /** Milliseconds, from "30s" / "10m" / "1h30m". */
  timeoutMs?: number
  continueOnError: boolean
  /** `{{{x}}}` / `{{& x}}` are allowed in the executor's shell options (trusted values only). */
  unsafeRaw?: boolean
}

/** A loop group: runs `steps` until `until` holds, at most `maxAttempts` times. */
export interface LoopStep extends StepBase {
  kind: 'loop'
  maxAttempts: number
  until: Condition
  onExhausted: 'fail' | 'continue'
  steps: ActionStep[]
}

export type Step = ActionStep | LoopStep

/** A loaded, validated pipeline, ready for the engine. */
export interface Pipeline {
  name: string
  description?: string
  /** Absolute path of the file it came from. */
  file: string
  /** The file's text, stored with each run so resume uses exactly what ran. */
  source: string
  inputs: Record<string, InputDef>
  steps: Step[]
  /** `budget:` of the pipeline and of its steps (by step id), when any is given (src/budget/limits.ts). */
  budget?: PipelineBudgets
}
