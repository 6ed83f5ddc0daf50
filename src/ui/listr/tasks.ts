import {figures, Listr, ListrLogger, ListrLogLevels, ProcessOutput} from 'listr2'
import type {ListrTask, ListrTaskWrapper} from 'listr2'
import {addUsage, zeroTotals} from '../../engine/usage.js'
import {formatDuration, oneLine, resultParts} from '../format.js'
import {LiveRenderer} from './live-renderer.js'
import {LoopSlot, RunModel, StepSlot, type Ending} from './model.js'

type Wrapper = ListrTaskWrapper<unknown, any, any>
type Task = ListrTask<unknown, any, any>

export interface ViewOptions {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** true: live TTY renderer; false: listr2's plain `simple` renderer. */
  tty: boolean
}

/**
 * Plain renderer: prints `❯ title` when a step really starts. listr2 prints it when it starts the task,
 * which waits for the engine, so a step that never ran would show `❯` too; plain tasks get their title
 * only once the engine started the step (or it ended without starting: then just `↓ … [SKIPPED]`).
 */
type Announce = ((title: string) => void) | undefined
let announce: Announce
/** Plain renderer: a `◼` line (a gate that waits). */
let plainPaused: Announce

/** Draws the run with listr2 until every task has settled. Never rejects. */
export async function runListr(model: RunModel, opts: ViewOptions): Promise<void> {
  const processOutput = new ProcessOutput(opts.stdout as NodeJS.WriteStream, opts.stderr as NodeJS.WriteStream)
  // Plain output is one stream: failures too go to stdout, in order with the rest (`> run.log` keeps the story).
  const plainLogger = new ListrLogger<ListrLogLevels>({useIcons: true, toStderr: [], processOutput})
  announce = opts.tty ? undefined : title => plainLogger.log(ListrLogLevels.STARTED, title)
  plainPaused = opts.tty ? undefined : title => plainLogger.log(ListrLogLevels.PAUSED, title)
  const tasks = model.top.map(slot => (slot instanceof LoopSlot ? loopTask(model, slot, opts.tty) : stepTask(slot, opts.tty, slot.label, model.parallel)))
  const listr = new Listr<unknown, any, any>(tasks, {
    // parallel branches are tasks running side by side; each still waits for its step to start
    concurrent: model.parallel,
    exitOnError: false,
    registerSignalListeners: false, // the engine owns Ctrl-C (exit 130); listr2's handler would exit 127
    renderer: LiveRenderer,
    rendererOptions: {
      logger: new ListrLogger({useIcons: true, toStderr: [], processOutput}),
      collapseSubtasks: false, // keep loop iterations visible after the loop
      collapseErrors: false, // show the title, with the error under it
      icon: {FAILED_WITH_SUBTASKS: figures.cross},
    },
    fallbackRenderer: 'simple',
    fallbackRendererOptions: {logger: plainLogger},
    fallbackRendererCondition: !opts.tty,
  })
  cheapAbortListeners(listr.signal)
  try {
    await listr.run()
  } catch {
    // with exitOnError:false nothing should reach here; a view problem must not fail the run
  }
}

/**
 * listr2 adds one 'abort' listener per task to the run's shared signal and never removes it, and
 * Node's EventTarget scans all listeners on every add (duplicate check): 10,000 steps took seconds.
 * Keep those listeners in a Set instead, called once if the signal ever aborts.
 */
function cheapAbortListeners(signal: AbortSignal): void {
  type Listener = (event: Event) => void
  const listeners = new Set<Listener>()
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  add('abort', event => {
    for (const l of [...listeners]) l.call(signal, event)
    listeners.clear()
  }, {once: true})
  signal.addEventListener = ((type: string, l: unknown, opts?: unknown) => {
    if (type === 'abort' && typeof l === 'function' && !signal.aborted) listeners.add(l as Listener)
    else add(type as 'abort', l as Listener, opts as Parameters<AbortSignal['addEventListener']>[2])
  }) as AbortSignal['addEventListener']
  signal.removeEventListener = ((type: string, l: unknown, opts?: unknown) => {
    if (type === 'abort' && typeof l === 'function' && listeners.delete(l as Listener)) return
    remove(type as 'abort', l as Listener, opts as Parameters<AbortSignal['removeEventListener']>[2])
  }) as AbortSignal['removeEventListener']
}

function stepTask(slot: StepSlot, tty: boolean, label = slot.label, concurrent = false): Task {
  return {
    ...(tty ? {title: label} : {}),
    exitOnError: false,
    task: async (_ctx, task: Wrapper) => {
      if (!tty) {
        await slot.startedOrEnded()
        if (slot.startedAt !== undefined) announce?.(label)
        task.title = label
      } else if (concurrent && slot.startedAt === undefined && !slot.end) {
        task.title = `${label} · waiting`
        await slot.startedOrEnded()
        task.title = label
      }
      if (!slot.end) {
        slot.task = task
        if (slot.progress) task.output = slot.progress
        const timer = tty ? runningTimer(slot, task, label) : undefined
        await slot.ended()
        if (timer) clearInterval(timer)
        if (!tty) slot.flushPlain()
        slot.task = undefined
      }
      settle(task, label, slot.end!, tty)
    },
  }
}

/** TTY: the running step's title counts the seconds (`build · 42s`), so a long step visibly lives. */
function runningTimer(slot: StepSlot, task: Wrapper, label: string): NodeJS.Timeout {
  const tick = () => {
    if (slot.startedAt !== undefined && !slot.end) task.title = `${label} · ${formatDuration(Date.now() - slot.startedAt).replace(/\.\ds$/, 's')}`
  }
  const timer = setInterval(tick, 1000)
  timer.unref()
  return timer
}

/** Turns how a step ended into the listr task's final state (a thrown error = failed). */
function settle(task: Wrapper, label: string, end: Ending, tty: boolean): void {
  if (end.status === 'notrun' || end.status === 'skipped') return skip(task, label, end.reason || 'skipped', tty)
  if (end.status === 'waiting') return waiting(task, label, tty)
  // On resume, why it ran again (`re-run: its with: changed`).
  task.title = `${label}${end.outcome ? ` — ${end.outcome}` : ''} (${resultParts(end.durationMs, end.usage)})${end.reason ? ` · ${oneLine(end.reason, 200)}` : ''}`
  if (end.status === 'failed' || end.status === 'budget_exceeded' || end.status === 'rate_limited') throw new Error(oneLine(end.error || end.status, 500))
  if (end.status === 'cancelled') throw new Error(end.error && end.error !== 'cancelled' ? `cancelled: ${oneLine(end.error, 500)}` : 'cancelled')
}

/**
 * A gate waiting for a decision is neither done nor skipped: `◼ gate — waiting for approval`.
 * listr2 has no such end state, so the task ends as skipped without a message (the plain renderer
 * prints nothing for that) and the line is printed here; the TTY renderer shows the skip text.
 */
function waiting(task: Wrapper, label: string, tty: boolean): void {
  if (tty) return task.skip(`${label} — waiting for approval`)
  plainPaused?.(`${label} — waiting for approval`)
  task.skip()
}

/** The TTY renderer shows a skip message instead of the title; make it read like the plain renderer's line. */
function skip(task: Wrapper, label: string, reason: string, tty: boolean): void {
  task.skip(tty ? `${label} [SKIPPED: ${reason}]` : reason)
}

function loopTask(model: RunModel, loop: LoopSlot, tty: boolean): Task {
  return {
    ...(tty ? {title: loop.label} : {}),
    rendererOptions: {persistentOutput: true}, // warnings and the failure reason stay under the group
    task: async (_ctx, task: Wrapper) => {
      loop.task = task
      await loop.when(() => loop.started || loop.end !== undefined)
      if (!tty) {
        if (loop.started) announce?.(loop.label)
        task.title = loop.label
      }
      if (!loop.started) return skip(task, loop.label, loop.end?.reason || (loop.end?.outcome === 'cancelled' ? 'cancelled' : 'skipped'), tty)
      const iterations = Array.from({length: loop.maxAttempts}, (_, k) => iterationTask(model, loop, k + 1, tty))
      // exitOnError here only lets the finalizer fail the group; iterations never throw
      return task.newListr([...iterations, loopFinalizer(model, loop, task, tty)], {exitOnError: true})
    },
  }
}

function iterationTask(model: RunModel, loop: LoopSlot, i: number, tty: boolean): Task {
  const title = `${loop.label} · attempt ${i}/${loop.maxAttempts}`
  let checked = false
  return {
    title,
    exitOnError: false,
    // listr2 checks `enabled` of every sibling before running any, then again just before this one
    // runs: the first answer must not wait, the second waits for the engine to start it or end the loop
    enabled: () => {
      if (!checked) {
        checked = true
        return loop.iterations >= i
      }
      return loop.when(() => loop.iterations >= i || loop.end !== undefined).then(() => loop.iterations >= i)
    },
    task: (_ctx, task: Wrapper) => {
      const slots = loop.body.map(step => model.bodySlot(loop, step, i))
      // the plain renderer does not indent, so its body lines say which attempt they belong to
      const stepTasks = slots.map(slot => stepTask(slot, tty, tty ? slot.label : `${slot.label} · attempt ${i}/${loop.maxAttempts}`, loop.parallel))
      const titleWhenDone: Task = {
        task: (_ctx, last: Wrapper) => {
          const usage = zeroTotals()
          let ms = 0
          const failed: string[] = []
          for (const s of slots) {
            if (!s.end || s.end.status === 'notrun') continue
            ms += s.end.durationMs
            addUsage(usage, s.end.usage)
            if (s.end.status === 'failed' || s.end.status === 'cancelled') failed.push(s.label)
          }
          task.title = `${title} (${resultParts(ms, usage)})`
          if (failed.length === 0) return
          // TTY: the failed step already shows its error; plain: say which attempt failed
          if (tty) throw new Error('')
          last.title = task.title
          throw new Error(`${failed.join(', ')} ${failed.length === 1 ? 'step' : 'steps'} failed`)
        },
      }
      // exitOnError lets only the last (untitled) task fail the iteration; steps never stop it.
      // A parallel body runs its steps side by side, then the title task.
      if (!loop.parallel) return task.newListr([...stepTasks, titleWhenDone], {exitOnError: true})
      return task.newListr([{task: (_c, t: Wrapper) => t.newListr(stepTasks, {concurrent: true, exitOnError: false})}, titleWhenDone], {exitOnError: true})
    },
  }
}

/** Last, untitled subtask of a loop: waits for the loop's end, sets the group's title, fails it if the loop failed. */
function loopFinalizer(model: RunModel, loop: LoopSlot, group: Wrapper, tty: boolean): Task {
  return {
    task: async (_ctx, task: Wrapper) => {
      await loop.when(() => loop.settled)
      const end = loop.end!
      const n = loop.iterations
      const attempts = end.outcome === 'exhausted' ? `${n}/${loop.maxAttempts} attempts, exhausted` : `${n} ${n === 1 ? 'attempt' : 'attempts'}`
      const usage = zeroTotals()
      let ms = 0
      for (let i = 1; i <= n; i++) {
        for (const step of loop.body) {
          const e = model.bodySlot(loop, step, i).end
          if (e && e.status !== 'notrun') (ms += e.durationMs), addUsage(usage, e.usage)
        }
      }
      group.title = `${loop.label} (${resultParts(ms, usage, [attempts])})`
      if (end.outcome === 'failed' || end.outcome === 'cancelled' || loop.exhaustedFailedRun) {
        const why = oneLine(end.reason || (end.outcome === 'cancelled' ? 'cancelled' : `loop ended after ${attempts}`), 500)
        // a group's own failure shows nowhere by itself: TTY, as the group's (persistent) output;
        // plain, as this task's failure line under the group's title
        if (tty) {
          group.output = why
          throw new Error('')
        }
        task.title = group.title
        throw new Error(why)
      }
    },
  }
}
