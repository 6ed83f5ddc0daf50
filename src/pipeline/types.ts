import type {PipelineBudgets} from '../budget/limits.js'
import type {NotifyTargetConfig} from '../notify/schema.js'
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

/** The status functions a condition may call, as in GitHub Actions. */
export type StatusCheck = 'always' | 'failure' | 'success' | 'cancelled'

/** What `scope.job.status` holds when a condition is evaluated: the outcome of the step's upstream steps so far. */
export type JobStatus = 'success' | 'failure' | 'cancelled'

/** A condition compiled at load time (CEL). */
export interface Condition {
  source: string
  pos: SourcePos
  /**
   * Evaluates against `{inputs, steps, run, env, job}` (and `item`/`index` in a forEach step);
   * throws a readable Error on a missing key. The status functions read `scope.job.status`
   * (`'success'` when it is absent).
   */
  evaluate(scope: Record<string, unknown>): boolean
  /**
   * Which status function the expression calls, if any (`always()`, `failure()`, `success()`,
   * `cancelled()`). Without one, GitHub's implicit `success()` applies: the step is skipped when an
   * upstream step failed.
   */
  statusCheck?: StatusCheck
}

/** A CEL expression compiled at load time that returns any value (a forEach list). */
export interface Expression {
  source: string
  pos: SourcePos
  /** Evaluates against the same scope as a condition; throws a readable Error on a missing key. */
  evaluate(scope: Record<string, unknown>): unknown
}

interface StepBase {
  id: string
  name?: string
  if?: Condition
  pos: SourcePos
  /**
   * Resolved upstream step ids in the same step list: `needs:` as written, else the previous step
   * (none for the first); `needs: []` → []. In a loop body, ids of the body's own steps.
   */
  needs: string[]
  /** True when `needs:` was written (so views can show it). */
  explicitNeeds: boolean
}

/** The kinds of failure a retry policy can retry (see FailureKind in src/plugins/failures.ts). */
export type RetryOn = 'rate_limit' | 'overloaded' | 'server' | 'timeout' | 'network' | 'exit' | 'any'

/** How a step is tried again after a transient failure (`retry:`). */
export interface RetryPolicy {
  /** Tries in all, counting the first: 1..20. @default 3 */
  maxAttempts: number
  /** Exponential backoff: initialMs × factor^(n−1), at most maxMs. @default {initialMs: 1000, factor: 2, maxMs: 60000} */
  backoff: {initialMs: number; factor: number; maxMs: number}
  /** Which failures are retried. @default ['rate_limit', 'overloaded', 'server', 'network'] */
  on: RetryOn[]
}

/** Fan-out: the step runs once per item of a CEL list. */
export interface ForEach {
  /** The list expression; each item is `item`, its position `index` in the step's templates and conditions. */
  items: Expression
  /** Most items the list may have; a longer list fails the step. @default 100 */
  maxItems: number
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
  /** Tries again after a transient failure. */
  retry?: RetryPolicy
  /** Fan-out: run once per item of a CEL list, `item` and `index` in scope; outputs collect as a list. */
  forEach?: ForEach
}

/** A loop group: runs `steps` until `until` holds, at most `maxAttempts` times. */
export interface LoopStep extends StepBase {
  kind: 'loop'
  maxAttempts: number
  until: Condition
  onExhausted: 'fail' | 'continue'
  steps: ActionStep[]
  /** The body's own graph (needs between the body's steps). */
  graph: PipelineGraph
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
  /** Most steps running at once (pipeline `concurrency:`, `adw run --concurrency`). @default 4 */
  concurrency: number
  /** When a step fails, cancel the steps still running and start no more. @default false */
  failFast: boolean
  /** The top-level steps' graph (a loop is one node; its body has LoopStep.graph). */
  graph: PipelineGraph
  /** `budget:` of the pipeline and of its steps (by step id), when any is given (src/budget/limits.ts). */
  budget?: PipelineBudgets
  /** `worktree`: every run works in its own git worktree and branch (as `adw run --worktree`). */
  isolation?: 'none' | 'worktree'
  /** `notify:` targets as written (src/notify resolves them when a run starts), when any are given. */
  notify?: NotifyTargetConfig[]
}

/** Which step waits for which, in one step list (src/pipeline/graph.ts). */
export interface PipelineGraph {
  /** A topological order of the step ids (file order among equals). */
  order: string[]
  /** Every step the given step waits for, directly or not. */
  upstream(id: string): ReadonlySet<string>
  /** Every step that waits for the given step, directly or not. */
  downstream(id: string): ReadonlySet<string>
  /** One [from, to] per need: `to` needs `from`. */
  edges: Array<[from: string, to: string]>
}
