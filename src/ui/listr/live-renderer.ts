import {DefaultRenderer} from 'listr2'
import type {ListrDefaultRendererTask} from 'listr2'

/** The DefaultRenderer internals this subclass uses (TypeScript-private there, plain fields at runtime). */
interface Internals {
  tasks: ListrDefaultRendererTask[]
  updater?: ((text: string) => void) & {persist(text: string): void}
  logger: {process: {stdout: {rows?: number}}}
  renderer(tasks: ListrDefaultRendererTask[], level: number): string[]
}

const MIN_WAIT_MS = 50

/**
 * listr2's TTY renderer, made to scale to long pipelines:
 * - finished top-level steps are printed once, above the live area, and never redrawn;
 * - the live area holds at most a screenful of the next steps (`… N more steps` for the rest);
 * - redraws at most every 50 ms instead of on every state change;
 * - it is chosen by our own TTY test (`static nonTTY`), not by process.stdout's.
 * Without this, each frame re-wrapped every task (listr2 never caches finished ones) and a
 * 10,000-step run took minutes; a list taller than the terminal also left garbage on screen.
 */
export class LiveRenderer extends DefaultRenderer {
  static override nonTTY = true
  private flushed = 0
  private ending = false
  private last = 0
  private timer?: NodeJS.Timeout

  private get internals(): Internals {
    return this as unknown as Internals
  }

  override update(): void {
    const wait = MIN_WAIT_MS - (Date.now() - this.last)
    if (wait <= 0) return this.draw()
    this.timer ??= setTimeout(() => this.draw(), wait)
  }

  override end(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.flush()
    this.ending = true // the final frame (drawn by super.end) shows whatever is still unfinished
    super.end()
  }

  override create(options?: {tasks?: boolean; bottomBar?: boolean; prompt?: boolean}): string {
    const self = this.internals
    const all = self.tasks
    const rows = self.logger.process.stdout.rows || 24
    const room = this.ending ? Infinity : Math.max(3, rows - 3)
    const shown = all.slice(this.flushed, this.flushed + room)
    self.tasks = shown
    try {
      const frame = super.create(options)
      const more = all.length - this.flushed - shown.length
      return more > 0 ? `${frame}\n  … ${more} more ${more === 1 ? 'step' : 'steps'}` : frame
    } finally {
      self.tasks = all
    }
  }

  private draw(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.last = Date.now()
    this.flush()
    super.update()
  }

  /** Prints the finished steps at the head of the list above the live area, once. */
  private flush(): void {
    const self = this.internals
    if (!self.updater) return
    const lines: string[] = []
    // one task at a time: listr2's renderer compares each task with all its siblings
    while (this.flushed < self.tasks.length && self.tasks[this.flushed].hasFinalized()) {
      lines.push(...self.renderer([self.tasks[this.flushed++]], 0))
    }
    if (lines.length > 0) self.updater.persist(lines.join('\n') + '\n')
  }
}
