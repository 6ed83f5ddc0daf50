import type {Step} from '../pipeline/types.js'
import type {Usage} from '../plugins/types.js'
import type {RunStatus, StepStatus} from '../store/types.js'

/** A step as the terminal view sees it before the run starts (static shape of the pipeline). */
export interface OutlineStep {
  id: string
  name?: string
  uses?: string
  /** Loop groups only. */
  loop?: {maxAttempts: number; steps: OutlineStep[]}
  /** The steps it waits for (resolved `needs:`, else the step before), in its own step list. */
  needs?: string[]
  /** Fan-out: the CEL list expression and the most items it may give. */
  forEach?: {items: string; maxItems: number}
  /** Retry policy: tries in all, and which failures are retried. */
  retry?: {maxAttempts: number; on: string[]}
}

/** Where a step run stands in a fan-out and its retries (on step:start, step:end, step:progress). */
export interface RunPosition {
  /** The fan-out item's position (0-based). */
  index?: number
  /** The fan-out item, as one short line. */
  item?: string
  /** 1-based, for a step with a retry policy. */
  attempt?: number
}

/** Every event the engine emits, in order. `--json` prints them one per line. */
export type EngineEvent =
  | {type: 'run:start'; adwId: string; pipeline: string; workingDir: string; db: string; outline: OutlineStep[]; resumed?: boolean; concurrency?: number; time: string}
  | ({type: 'step:start'; adwId: string; stepId: string; name?: string; executor: string; iteration: number; parentId?: string; time: string} & RunPosition)
  | {type: 'step:progress'; adwId: string; stepId: string; iteration: number; index?: number; text: string; time: string}
  | ({
      type: 'step:end'
      adwId: string
      stepId: string
      iteration: number
      parentId?: string
      status: StepStatus
      durationMs: number
      usage?: Usage
      error?: string
      /** Why it was skipped (false `if`; on resume `reused: key unchanged`), or why it ran again on resume (`re-run: its with: changed`). */
      reason?: string
      /** One line on what it did, for its title: `verdict FAIL, 2 issues`, a script's last line (see stepOutcome). */
      outcome?: string
      /** A failed attempt that will be tried again after this many ms (a step:retry follows). */
      retryInMs?: number
      /** The end of a whole fan-out step (its items ended before, each with its index): how many items. */
      items?: number
      time: string
    } & RunPosition)
  | {type: 'step:retry'; adwId: string; stepId: string; iteration: number; index?: number; attempt: number; maxAttempts: number; delayMs: number; reason: string; time: string}
  /** `--wait-for-quota`: the step hit a usage limit; it runs again (as `attempt`) at `until`. */
  | {type: 'step:wait'; adwId: string; stepId: string; iteration: number; index?: number; attempt: number; until: string; delayMs: number; reason: string; time: string}
  /** An approval gate waits for a decision: under `--wait` the run goes on once decided, else `run:end` (status waiting) follows. */
  | {type: 'run:waiting'; adwId: string; stepId: string; iteration: number; message: string; commands: string[]; time: string}
  | {type: 'loop:start'; adwId: string; stepId: string; maxAttempts: number; time: string}
  | {type: 'loop:iteration'; adwId: string; stepId: string; iteration: number; maxAttempts: number; time: string}
  | {type: 'loop:end'; adwId: string; stepId: string; iterations: number; outcome: 'satisfied' | 'exhausted' | 'failed' | 'skipped' | 'cancelled'; reason?: string; time: string}
  | {
      type: 'log'
      adwId: string
      stepId?: string
      /** The step run's loop iteration (0 outside loops). */
      iteration?: number
      /** The step run's fan-out item and retry attempt, when it has them: which of parallel step runs wrote the row. */
      index?: number
      attempt?: number
      level: string
      logType: string
      message: string
      /** The row's details, masked (token usage of a cost_update row, tool, durationMs and ok of a tool_call row). */
      details?: unknown
      time: string
    }
  | {
      type: 'run:end'
      adwId: string
      status: RunStatus
      durationMs: number
      totals: Required<Omit<Usage, 'model'>>
      error?: string
      /** Status waiting: the approval gate and the commands that decide it. */
      waiting?: {stepId: string; message: string; commands: string[]}
      /** Status budget_exceeded: the limit reached (step absent: the run's own), spent and limit in its unit. */
      crossing?: {step?: string; kind: 'usd' | 'tokens' | 'minutes'; spent: number; limit: number; unpricedModel?: string}
      time: string
    }

/** Something that shows a run: listr2, plain lines, JSON lines, or nothing. */
export interface Reporter {
  onEvent(event: EngineEvent): void
  /** Resolves when the view has finished drawing. */
  close(): Promise<void>
}

/** The pipeline's static shape for the view (`run:start`). */
export function outline(steps: Step[]): OutlineStep[] {
  return steps.map(s =>
    s.kind === 'loop'
      ? {id: s.id, name: s.name, needs: s.needs, loop: {maxAttempts: s.maxAttempts, steps: outline(s.steps)}}
      : {
          id: s.id,
          name: s.name,
          uses: s.uses,
          needs: s.needs,
          ...(s.forEach ? {forEach: {items: s.forEach.items.source, maxItems: s.forEach.maxItems}} : {}),
          ...(s.retry ? {retry: {maxAttempts: s.retry.maxAttempts, on: s.retry.on}} : {}),
        },
  )
}
