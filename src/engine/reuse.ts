import type {ActionStep, LoopStep, Pipeline} from '../pipeline/types.js'
import type {RunRow, StepRow} from '../store/types.js'
import {contentKey, decide, modelInForce, type ContentKey, type Decision, type ResumeContext} from './memo.js'
import type {NodeResult, RunContext, StepState} from './context.js'
import type {RenderedStep} from '../pipeline/shell/render.js'
import {render} from './invoke.js'
import {now, type StepRef} from './journal.js'
import type {Totals} from './usage.js'
import {addUsage} from './usage.js'

/**
 * What a resumed run may take from before, and the keys that decide it (memo.ts). Holds the latest
 * row of every step run of the run being resumed, by step id and iteration; a fresh run has none
 * and only computes the keys it records.
 */
export class ReuseIndex {
  private readonly rows = new Map<string, StepRow>()
  /**
   * A forEach step's succeeded item runs at one iteration, by content key (step#iteration → key →
   * rows), so an item is found by what it is, not where it sits: a list edited on resume (an item
   * inserted, removed, moved) reuses each unchanged item's run. Each row is taken once.
   */
  private readonly itemsByKey = new Map<string, Map<string, StepRow[]>>()
  private readonly taken = new Set<StepRow>()
  /** Step id → the upstream steps its key covers. */
  private readonly upstreamOf = new Map<string, string[]>()
  private readonly resuming: boolean

  constructor(pipeline: Pipeline, steps: StepRow[] | undefined, private readonly context: ResumeContext = {samePipeline: true}) {
    this.resuming = steps !== undefined
    for (const row of steps ?? []) this.rows.set(key(row.step_id, row.iteration, row.item_index), row) // ordered by id: the latest wins
    // Every succeeded item run counts, not only the latest at its index: an index another item took since still held this one.
    for (const row of steps ?? []) {
      if (row.item_index === null || row.status !== 'succeeded' || !row.content_key) continue
      const at = key(row.step_id, row.iteration)
      let byKey = this.itemsByKey.get(at)
      if (!byKey) this.itemsByKey.set(at, (byKey = new Map()))
      const same = byKey.get(row.content_key)
      if (same) same.push(row)
      else byKey.set(row.content_key, [row])
    }
    for (const s of pipeline.steps) {
      this.upstreamOf.set(s.id, s.needs)
      // A body step that needs nothing inside the body depends on what the loop needs.
      if (s.kind === 'loop') for (const b of s.steps) this.upstreamOf.set(b.id, b.needs.length ? b.needs : s.needs)
    }
  }

  /** Succeeded step runs recorded before (the most that can be reused). */
  get size(): number {
    let n = 0
    for (const row of this.rows.values()) if (row.status === 'succeeded') n++
    return n
  }

  /** The latest recorded run of a step at an iteration (of one forEach item, given its index). */
  get(stepId: string, iteration: number, itemIndex?: number): StepRow | undefined {
    return this.rows.size === 0 ? undefined : this.rows.get(key(stepId, iteration, itemIndex))
  }

  /** Whether `--from` forces this step (or loop) to run again. */
  forced(stepId: string): boolean {
    return this.context.forced?.has(stepId) === true
  }

  /** How many leading iterations of a loop succeeded before in every body step (each step still checks its key). */
  iterationsDone(loop: LoopStep): number {
    let n = 0
    while (n < loop.maxAttempts && loop.steps.every(s => ['succeeded', 'skipped'].includes(this.get(s.id, n + 1)?.status ?? ''))) n++
    return n
  }

  /**
   * The upstream steps whose results a step's key covers: its `needs` (by default the step before
   * it); in a loop body without any, the loop's. What it reads of other steps is in its rendered `with:`.
   */
  upstream(stepId: string): string[] {
    return this.upstreamOf.get(stepId) ?? []
  }

  /** The key of a step run about to start, from its rendered options and its upstream steps' results now (and its forEach item). */
  key(step: ActionStep, rendered: RenderedStep, upstream: string[], steps: Record<string, StepState>, runModel: string | undefined, item?: {value: unknown}): ContentKey {
    const up: Record<string, {status: string; outputs: unknown}> = {}
    for (const id of upstream) up[id] = {status: steps[id]?.status ?? 'not run', outputs: steps[id]?.outputs ?? {}}
    return contentKey({executor: step.executor, options: rendered.options, env: rendered.env, model: modelInForce(step.executor, rendered.options, runModel), upstream: up, ...(item ? {item} : {})})
  }

  /**
   * On resume, whether the step's recorded run is reused (see memo.decide), with the row reused;
   * undefined in a fresh run. A forEach item (itemIndex given) is matched by its key among the
   * step's item runs first (the same index preferred), then judged against the run at its index.
   */
  decide(stepId: string, iteration: number, key: ContentKey | undefined, itemIndex?: number): (Decision & {row?: StepRow}) | undefined {
    if (!this.resuming) return undefined
    if (itemIndex !== undefined && key && !this.forced(stepId)) {
      const candidates = this.itemsByKey.get(`${stepId}#${iteration}`)?.get(key.key)?.filter(r => !this.taken.has(r))
      const row = candidates?.find(r => r.item_index === itemIndex) ?? candidates?.[0]
      if (row) {
        this.taken.add(row)
        return {reuse: true, reason: row.item_index === itemIndex ? 'reused: key unchanged' : `reused: key unchanged (item ${row.item_index} before)`, row}
      }
    }
    const at = this.get(stepId, iteration, itemIndex)
    // An item's run at this index that another item took is not this item's.
    const previous = at && this.taken.has(at) ? undefined : at
    const decision = decide(stepId, key, previous, this.context)
    if (decision.reuse && previous && itemIndex !== undefined) this.taken.add(previous)
    return {...decision, ...(decision.reuse ? {row: previous} : {})}
  }
}

/** Rows are found by step, iteration and forEach item. */
const key = (stepId: string, iteration: number, itemIndex?: number | null) => (itemIndex === undefined || itemIndex === null ? `${stepId}#${iteration}` : `${stepId}#${iteration}#${itemIndex}`)


/** Adds a run row's recorded usage to `totals` (a resumed run continues its totals). */
export function addRecordedUsage(totals: Totals, run: RunRow | undefined): void {
  if (run) addUsage(totals, {inputTokens: run.input_tokens, outputTokens: run.output_tokens, cacheCreationTokens: run.cache_creation_tokens, cacheReadTokens: run.cache_read_tokens, costUsd: run.cost_usd})
}

/** A step about to run, as the reuse decision left it. */
export interface Prepared {
  /** The rendered options, or why they do not render (the step then fails with it). */
  rendered: RenderedStep | Error
  key?: ContentKey
  /** Why it runs (on resume): `re-run: its with: changed`. */
  reason?: string
  /** A reused run's recorded outputs. */
  outputs?: Record<string, unknown>
}

/**
 * Renders a step's options, computes its key and, on resume, decides: a reused run's recorded
 * outputs become the step's (`reused`), with its reason in the view and a log row; otherwise the
 * step runs, its key recorded with it.
 */
export async function prepareStep(ctx: RunContext, step: ActionStep, at: {iteration: number; parentId?: string; index?: number}, scope: Record<string, unknown> = ctx.scope): Promise<Prepared & {reused?: NodeResult}> {
  const {iteration, parentId, index} = at
  const rendered = await render(step, scope)
  const item = index !== undefined ? {value: scope.item} : undefined
  const key = rendered instanceof Error ? undefined : ctx.reuse.key(step, rendered, ctx.reuse.upstream(step.id), ctx.steps, ctx.model, item)
  const decision = ctx.reuse.decide(step.id, iteration, key, index)
  if (!decision) return {rendered, key}
  const {journal, adwId} = ctx
  const details = {decision: decision.reuse ? 'reuse' : 'run', reason: decision.reason, contentKey: key?.key ?? null}
  const where = [iteration ? `iteration ${iteration}` : '', index !== undefined ? `item ${index}` : ''].filter(Boolean).join(', ')
  journal.log('INFO', 'state_change', `Step ${step.id}${where ? ` (${where})` : ''} ${decision.reason}`, details, step.id, iteration)
  // Why it runs again, for its end event (a step that never ran before needs no reason).
  if (!decision.reuse) return {rendered, key, ...(ctx.reuse.get(step.id, iteration, index) ? {reason: decision.reason} : {})}
  const prev = decision.row!
  const outputs = prev.outputs ? JSON.parse(prev.outputs) : {}
  // (a forEach item's outputs are collected by its step, not set here)
  if (index === undefined) ctx.steps[step.id] = {outputs, status: 'succeeded'}
  journal.emit({type: 'step:end', adwId, stepId: step.id, iteration, parentId, status: 'skipped', durationMs: 0, reason: decision.reason, ...(index !== undefined ? {index} : {}), time: now()})
  return {rendered, key, reused: {status: 'succeeded', reused: true}, outputs}
}

/** Records a step (or forEach item) that its `if` skipped; resumed and skipped for the same reason as before: shown, not recorded twice. */
export async function skipByCondition(ctx: RunContext, ref: StepRef, reason: string): Promise<void> {
  const before = ctx.reuse.get(ref.stepId, ref.iteration, ref.index)
  if (before?.status !== 'skipped' || before.reason !== reason) return await ctx.journal.skipStep(ref, reason)
  const position = ref.index !== undefined ? {index: ref.index, item: ref.item} : {}
  ctx.journal.emit({type: 'step:end', adwId: ctx.adwId, stepId: ref.stepId, iteration: ref.iteration, parentId: ref.parentId, status: 'skipped', durationMs: 0, reason: `${reason} (as before)`, ...position, time: now()})
}
