import pLimit, {type LimitFunction} from 'p-limit'

/**
 * How many executors run at once: at most `concurrency` in the whole run, and at most
 * `perExecutor[name]` of one executor (adw.config.yaml `executors.<name>.concurrency`), shared by
 * every parallel branch and fan-out item. A slot is held only while an executor runs (not while a
 * step waits for its needs or between retries), so nesting cannot deadlock.
 */
export class Limits {
  private readonly all: LimitFunction
  private readonly byExecutor = new Map<string, LimitFunction>()

  constructor(concurrency: number, perExecutor: Record<string, number> = {}) {
    this.all = pLimit(Math.max(1, concurrency))
    for (const [name, n] of Object.entries(perExecutor)) this.byExecutor.set(name, pLimit(Math.max(1, n)))
  }

  /** Runs `fn` once a slot of the run and of `executor` are free. */
  run<T>(executor: string, fn: () => Promise<T>): Promise<T> {
    const own = this.byExecutor.get(executor)
    // The executor's slot first: a step waiting for an agent slot does not hold one of the run's.
    return own ? own(() => this.all(fn)) : this.all(fn)
  }
}
