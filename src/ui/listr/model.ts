import type {EngineEvent, OutlineStep} from '../../engine/events.js'
import {formatDuration, oneLine} from '../format.js'

export type StepEnd = Extract<EngineEvent, {type: 'step:end'}>
export type LoopEnd = Extract<EngineEvent, {type: 'loop:end'}>
/** How a step finished: the engine's `step:end`, or "never ran" when the run ended first. */
export type Ending = StepEnd | {status: 'notrun'; reason: string}

/** The part of a listr2 task wrapper the model drives (kept minimal so the model needs no listr2). */
export interface TaskHandle {
  title: string
  output: string
}

/** One step execution (a top-level step, or a body step in one loop iteration). */
export class StepSlot {
  end?: Ending
  /** When the engine started the step (Date.now()), for the running timer; undefined until then. */
  startedAt?: number
  /** A forEach step: its items end as lines under it; the step's own end comes last. */
  fanOut = false
  /** Plain renderer, parallel steps: each output line says whose it is (`[review_tests] `). */
  prefix = ''
  /** Latest progress line, shown when the task starts or as it changes. */
  progress?: string
  /** Plain renderer: the last progress line not printed yet (it may still grow; see show()). */
  pending?: string
  /** The running listr task, while it waits for the end. */
  task?: TaskHandle
  private shownAt = 0
  private wake?: () => void
  private promise?: Promise<void>

  constructor(readonly label: string) {}

  /** `--wait-for-quota`: the live view's countdown to a usage limit's reset. */
  countdown?: NodeJS.Timeout

  finish(end: Ending): void {
    if (this.end) return
    this.stopCountdown()
    this.end = end
    this.wake?.()
    this.wakeStart?.()
  }

  stopCountdown(): void {
    clearInterval(this.countdown)
    this.countdown = undefined
  }

  start(): void {
    this.stopCountdown()
    this.startedAt ??= Date.now()
    this.wakeStart?.()
  }

  ended(): Promise<void> {
    if (this.end) return Promise.resolve()
    return (this.promise ??= new Promise<void>(resolve => (this.wake = resolve)))
  }

  private wakeStart?: () => void
  private startPromise?: Promise<void>
  /** Resolves once the engine started the step, or it ended without starting. */
  startedOrEnded(): Promise<void> {
    if (this.end || this.startedAt !== undefined) return Promise.resolve()
    return (this.startPromise ??= new Promise<void>(resolve => (this.wakeStart = resolve)))
  }

  /**
   * Plain renderer: streamed agent text arrives as a growing line (`I'll`, `I'll read th`, …); print a
   * line once it is complete — when the next progress is not its continuation, or at the step's end —
   * so each tool call and each sentence appears once, whole.
   */
  showPlain(line: string): void {
    if (line === this.pending) return
    const complete = this.pending !== undefined && !line.startsWith(this.pending.replace(/…$/, ''))
    if (complete && this.task && !this.end) this.task.output = this.prefix + this.pending!
    this.pending = line
  }

  /** The last complete-or-not plain progress line, printed when the step ends. */
  flushPlain(): void {
    if (this.pending !== undefined && this.task) this.task.output = this.prefix + this.pending
    this.pending = undefined
  }

  /** Shows `line` under the task; in the plain renderer (each output is a printed line) at most every `minGapMs`. */
  show(line: string, minGapMs: number): void {
    if (line === this.progress) return
    this.progress = line
    if (!this.task || this.end) return
    const now = minGapMs > 0 ? Date.now() : 0
    if (minGapMs > 0 && now - this.shownAt < minGapMs) return
    this.shownAt = now
    this.task.output = this.prefix + line
  }
}

/** A loop group: its iterations appear as they start. */
export class LoopSlot {
  started = false
  /** Highest iteration that started. */
  iterations = 0
  end?: LoopEnd | {outcome: 'notrun'; reason: string; iterations: number}
  /** Body steps may run side by side. */
  parallel = false
  /**
   * An exhausted loop fails the run with `onExhausted: fail`, which the outline does not say: the
   * engine then ends the run right away. Undefined until the event after `loop:end` tells.
   */
  exhaustedFailedRun?: boolean
  task?: TaskHandle
  private waiters: Array<() => void> = []

  constructor(
    readonly id: string,
    readonly label: string,
    readonly maxAttempts: number,
    readonly body: OutlineStep[],
  ) {}

  /** True once the loop's end, and for an exhausted loop what followed it, are known. */
  get settled(): boolean {
    return this.end !== undefined && (this.end.outcome !== 'exhausted' || this.exhaustedFailedRun !== undefined)
  }

  /** Resolves once `ready()` holds; re-checked whenever the loop changes (a few times per iteration). */
  when(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve()
    return new Promise<void>(resolve => {
      const check = () => (ready() ? resolve() : void this.waiters.push(check))
      this.waiters.push(check)
    })
  }

  changed(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const check of waiters) check()
  }
}

const validIteration = (loop: LoopSlot, i: number): boolean => Number.isInteger(i) && i >= 1 && i <= loop.maxAttempts

export const labelOf = (s: {id: string; name?: string}): string => s.name || s.id

/** Plain lines of parallel steps interleave: each says whose it is (`[review_tests] Review tests`). */
const prefixedLabel = (s: {id: string; name?: string}): string => (s.name && s.name !== s.id ? `[${s.id}] ${s.name}` : `[${s.id}]`)

/**
 * Whether steps of this list can run side by side: a fan-out, or a `needs:` other than the step
 * before (what a file without `needs:` means). Sequential pipelines keep the one-at-a-time view.
 */
export function hasParallel(steps: OutlineStep[]): boolean {
  return steps.some((s, i) => s.forEach !== undefined || (s.needs !== undefined && (s.needs.length !== (i > 0 ? 1 : 0) || (i > 0 && s.needs[0] !== steps[i - 1].id))))
}

const WARN = new Set(['WARNING', 'ERROR', 'CRITICAL'])
const VERBOSE_TYPES = new Set(['output', 'tool_call'])

/**
 * What the terminal shows, fed by engine events. Events may run ahead of the listr tasks (the
 * engine never waits for the view), so each slot keeps its state until its task reads it.
 */
export class RunModel {
  readonly top: Array<StepSlot | LoopSlot> = []
  private readonly steps = new Map<string, StepSlot>()
  private readonly loops = new Map<string, LoopSlot>()
  private readonly bodyOf = new Map<string, LoopSlot>()
  private finished = false
  /** An exhausted loop waiting for the next event to tell whether it failed the run. */
  private verdictFor?: LoopSlot

  /** Plain renderer (one printed line per output): progress lines are printed whole, once. */
  readonly plain: boolean
  /** Top-level steps may run side by side (listr2 runs their tasks concurrently). */
  readonly parallel: boolean

  /**
   * @param progressGapMs minimum time between two progress updates of one step (TTY); 0 means plain
   * @param verbose show the steps' output and tool-call log rows as they come (needs the engine's log events)
   */
  constructor(outline: OutlineStep[], private readonly progressGapMs: number, private readonly verbose = false) {
    this.plain = progressGapMs > 0
    this.parallel = hasParallel(outline)
    const label = this.plain && (this.parallel || outline.some(s => s.loop && hasParallel(s.loop.steps))) ? prefixedLabel : labelOf
    this.labelFor = label
    for (const s of outline) {
      if (this.steps.has(s.id) || this.loops.has(s.id)) continue
      if (s.loop) {
        const loop = new LoopSlot(s.id, label(s), Math.max(1, s.loop.maxAttempts | 0), s.loop.steps)
        loop.parallel = hasParallel(s.loop.steps)
        this.loops.set(s.id, loop)
        for (const b of s.loop.steps) this.bodyOf.set(b.id, loop)
        this.top.push(loop)
      } else {
        const slot = new StepSlot(label(s))
        if (s.forEach) slot.fanOut = true
        if (label === prefixedLabel) slot.prefix = `[${s.id}] `
        this.steps.set(s.id, slot)
        this.top.push(slot)
      }
    }
  }

  private readonly labelFor: (s: {id: string; name?: string}) => string

  /** The slot of a body step in one iteration, made on first use. */
  bodySlot(loop: LoopSlot, step: OutlineStep, iteration: number): StepSlot {
    const key = `${step.id}#${iteration}`
    let slot = this.steps.get(key)
    if (!slot) {
      slot = new StepSlot(this.labelFor(step))
      if (step.forEach) slot.fanOut = true
      if (this.labelFor === prefixedLabel) slot.prefix = `[${step.id}] `
      this.steps.set(key, slot)
      if (this.finished || (loop.end && iteration > loop.iterations)) slot.finish({status: 'notrun', reason: 'not run'})
    }
    return slot
  }

  onEvent(e: EngineEvent): void {
    if (this.verdictFor && e.type !== 'log') this.verdict(e.type === 'run:end' && e.status === 'failed')
    switch (e.type) {
      case 'step:start': {
        const loop = this.loops.get(e.stepId)
        if (loop) return this.loopAdvanced(loop, 0)
        const owner = this.bodyOf.get(e.stepId)
        if (owner && validIteration(owner, e.iteration)) this.loopAdvanced(owner, e.iteration)
        const slot = this.find(e.stepId, e.iteration)
        slot?.start()
        if (slot && e.index !== undefined) slot.show(`▸ item ${e.index}${e.item ? `: ${e.item}` : ''}`, 0)
        return
      }
      case 'step:retry': {
        const slot = this.find(e.stepId, e.iteration)
        slot?.show(`⟳ ${e.index !== undefined ? `item ${e.index}: ` : ''}${oneLine(e.reason, 200)}`, 0)
        return
      }
      case 'step:wait': {
        const slot = this.find(e.stepId, e.iteration)
        if (!slot) return
        const until = Date.parse(e.until)
        const line = () => `⏳ ${e.index !== undefined ? `item ${e.index}: ` : ''}${e.reason}: waiting until ${e.until.replace(/\.\d+Z$/, 'Z')} (${formatDuration(until - Date.now()).replace(/\.\ds$/, 's')} left), then trying again · Ctrl-C stops (the run stays resumable)`
        slot.stopCountdown()
        slot.show(line(), 0)
        if (this.plain) return
        slot.countdown = setInterval(() => slot.show(line(), 0), 1000)
        slot.countdown.unref()
        return
      }
      case 'step:progress': {
        const slot = this.find(e.stepId, e.iteration)
        if (!slot) return
        // --verbose prints the rows themselves (output, tool calls): progress would repeat them
        if (this.plain && this.verbose) return
        if (this.plain) slot.showPlain(oneLine(e.text, 200, true))
        else slot.show(oneLine(e.text, 200, true), this.progressGapMs)
        return
      }
      case 'step:end': {
        const loop = this.loops.get(e.stepId)
        if (loop) return this.loopEndedByStep(loop, e)
        const owner = this.bodyOf.get(e.stepId)
        if (owner && validIteration(owner, e.iteration)) this.loopAdvanced(owner, e.iteration)
        const slot = this.find(e.stepId, e.iteration)
        // a fan-out item, or an attempt that will be retried: a line under the step, which goes on
        slot?.stopCountdown()
        if (slot && (e.index !== undefined || e.retryInMs !== undefined)) {
          slot.show(itemLine(e), 0)
          return
        }
        slot?.finish(e)
        return
      }
      case 'loop:start': {
        const loop = this.loops.get(e.stepId)
        if (loop) this.loopAdvanced(loop, 0)
        return
      }
      case 'loop:iteration': {
        const loop = this.loops.get(e.stepId)
        if (loop && validIteration(loop, e.iteration)) this.loopAdvanced(loop, e.iteration)
        return
      }
      case 'loop:end': {
        const loop = this.loops.get(e.stepId)
        if (!loop || loop.end) return
        if (e.outcome !== 'skipped' || e.iterations > 0) loop.started = true
        loop.iterations = Math.min(loop.maxAttempts, Math.max(loop.iterations, e.iterations | 0))
        loop.end = e
        if (e.outcome === 'exhausted') this.verdictFor = loop
        this.closeIteration(loop, loop.iterations)
        loop.changed()
        return
      }
      case 'log': {
        if (!e.stepId) return
        // the engine's own rows about the step (started, failed in 87ms) repeat what its title says
        if (e.logType === 'milestone' || (e.logType === 'error' && e.message.startsWith(`Step ${e.stepId} `))) return
        if (this.verbose && !WARN.has(e.level) && VERBOSE_TYPES.has(e.logType)) {
          // --verbose: every output and tool-call row, as it comes, under its step
          const slot = this.findLatest(e.stepId)
          if (slot?.task && !slot.end) slot.task.output = oneLine(e.message, 300)
          return
        }
        if (!WARN.has(e.level)) return
        const line = `⚠ ${oneLine(e.message, 200)}`
        const loop = this.loops.get(e.stepId)
        if (loop?.task && !loop.end) loop.task.output = line
        else this.findLatest(e.stepId)?.show(line, 0)
        return
      }
      case 'run:end':
        this.finish(e.status === 'waiting' ? 'not run: the run waits for approval' : 'not run')
        return
    }
  }

  /** Ends everything still waiting (the run is over): pending steps become "not run". */
  finish(reason: string): void {
    if (this.finished) return
    this.finished = true
    if (this.verdictFor) this.verdict(false)
    for (const slot of this.steps.values()) if (!slot.end) slot.finish({status: 'notrun', reason})
    for (const loop of this.loops.values()) {
      if (!loop.end) loop.end = {outcome: 'notrun', reason, iterations: loop.iterations}
      loop.changed()
    }
  }

  private verdict(failedRun: boolean): void {
    const loop = this.verdictFor!
    this.verdictFor = undefined
    loop.exhaustedFailedRun = failedRun
    loop.changed()
  }

  private find(stepId: string, iteration: number): StepSlot | undefined {
    const loop = this.bodyOf.get(stepId)
    if (!loop) return this.steps.get(stepId)
    if (!validIteration(loop, iteration)) return undefined
    const step = loop.body.find(b => b.id === stepId)!
    return this.bodySlot(loop, step, iteration)
  }

  /** For logs, which carry no iteration: the top-level slot, or the body slot of the current iteration. */
  private findLatest(stepId: string): StepSlot | undefined {
    const loop = this.bodyOf.get(stepId)
    return loop ? this.steps.get(`${stepId}#${loop.iterations}`) : this.steps.get(stepId)
  }

  private loopAdvanced(loop: LoopSlot, iteration: number): void {
    if (loop.end) return
    let changed = !loop.started
    loop.started = true
    const i = Math.min(loop.maxAttempts, iteration | 0)
    if (i > loop.iterations) {
      for (let k = loop.iterations; k >= 1 && k < i; k++) this.closeIteration(loop, k)
      loop.iterations = i
      changed = true
    }
    if (changed) loop.changed()
  }

  /** Body steps of a finished iteration that never reported: "not run". */
  private closeIteration(loop: LoopSlot, iteration: number): void {
    if (iteration < 1) return
    for (const b of loop.body) {
      const slot = this.steps.get(`${b.id}#${iteration}`)
      if (slot && !slot.end) slot.finish({status: 'notrun', reason: 'not run'})
    }
  }

  /** Some engines report a loop group as a step: a skipped or failed group ends the loop. */
  private loopEndedByStep(loop: LoopSlot, e: StepEnd): void {
    if (loop.end) return
    const outcome = e.status === 'skipped' ? 'skipped' : e.status === 'failed' ? 'failed' : e.status === 'cancelled' ? 'cancelled' : 'satisfied'
    this.onEvent({type: 'loop:end', adwId: e.adwId, stepId: loop.id, iterations: loop.iterations, outcome, reason: e.reason ?? e.error, time: e.time})
  }
}

/** `✔ item 0: parse input (1.2s)`: one fan-out item or failed attempt, as a line under its step. */
function itemLine(e: StepEnd): string {
  const icon = e.status === 'succeeded' ? '✔' : e.status === 'skipped' ? '↓' : '✖'
  const what = e.index !== undefined ? `item ${e.index}${e.item ? `: ${e.item}` : ''}` : `attempt ${e.attempt}`
  const how = e.status === 'skipped' ? ` [SKIPPED: ${e.reason ?? 'skipped'}]` : e.status === 'succeeded' ? ` (${(e.durationMs / 1000).toFixed(1)}s)` : `: ${oneLine(e.error ?? e.status, 200)}`
  return `${icon} ${what}${how}`
}
