import type {Store} from '../store/types.js'

/** How often the store's change token is read while someone is watching. */
export const POLL_MS = 150
/**
 * Listeners are also called this often without a write: a run whose process died turns
 * `interrupted` without anyone writing to the database.
 */
export const TICK_MS = 5000

/**
 * One poller for every live view of a dashboard: it reads the store's change token (cheap: a
 * pragma) while at least one listener is subscribed, and calls every listener after a change.
 */
export class ChangeWatcher {
  private readonly listeners = new Set<() => void>()
  private timer: NodeJS.Timeout | undefined
  private last = -1
  private lastCall = 0
  private polling = false

  constructor(private readonly store: Store, private readonly pollMs = POLL_MS) {}

  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    if (!this.timer) {
      this.store.changeToken().then(token => (this.last = token), () => undefined)
      this.lastCall = Date.now()
      this.timer = setInterval(() => void this.poll(), this.pollMs)
      this.timer.unref()
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && this.timer) clearInterval(this.timer), (this.timer = undefined)
    }
  }

  /** One poll at a time: a slow answer (a remote database) is not asked again before it comes. */
  private async poll(): Promise<void> {
    if (this.polling) return
    this.polling = true
    let token: number
    try {
      token = await this.store.changeToken()
    } catch {
      return // busy or closing: the next poll tries again
    } finally {
      this.polling = false
    }
    if (!this.timer) return // closed while asking
    if (token === this.last && Date.now() - this.lastCall < TICK_MS) return
    this.last = token
    this.lastCall = Date.now()
    for (const listener of [...this.listeners]) {
      try {
        listener()
      } catch {
        // A listener whose client went away; its stream's abort handler unsubscribes it.
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.listeners.clear()
  }
}
