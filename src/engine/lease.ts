import type {CancelRequest, Store} from '../store/types.js'
import type {Journal} from './journal.js'
import {killOwnedNow} from './orphans.js'

/** How often the run's process says it is alive and looks for a cancel request (ADW_HEARTBEAT_MS shortens it, for tests). */
const HEARTBEAT_MS = Number(process.env.ADW_HEARTBEAT_MS) > 0 ? Number(process.env.ADW_HEARTBEAT_MS) : 5000

/**
 * This process's hold on a run: the claim (on resume), the heartbeat that tells other processes
 * the run is alive, and the one answer to "what happens when the process dies mid-run": the step
 * rows still running are closed, the run is recorded as ended, its children are killed.
 */
export class Lease {
  /** Step rows running now (row id → step id), closed by the exit hook if the process exits mid-step. */
  private readonly running = new Map<number, string>()
  private heartbeat?: NodeJS.Timeout
  private readonly onExit = () => this.recordHardExit()
  private held = false

  constructor(
    private readonly store: Store,
    private readonly journal: Journal,
    private readonly pipelineName: string,
    private readonly signal: AbortSignal,
    /** A cancel request recorded in the store (adw cancel, from any machine), seen on a heartbeat. */
    private readonly onCancelRequest: (request: CancelRequest) => void = () => {},
  ) {}

  /**
   * Resume: takes the run over unless this process already holds it (resume.ts claims first).
   * Returns `stepId#iteration` of the step runs the claim closed as interrupted, else `given`.
   */
  async claim(given: unknown): Promise<string[]> {
    const adwId = this.journal.adwId
    const before = await this.store.getRun(adwId)
    const claimed = !before || before.status !== 'running' || before.pid !== process.pid ? await this.store.claimRun(adwId) : undefined
    return claimed?.interruptedSteps ?? (Array.isArray(given) ? given.map(String) : [])
  }

  /** Starts the heartbeat and the exit hook. */
  hold(): void {
    const adwId = this.journal.adwId
    this.heartbeat = setInterval(() => {
      // A busy moment (or a dropped connection): the next beat will do.
      this.store.heartbeat(adwId).then(request => {
        if (request) this.onCancelRequest(request)
      }, () => {})
    }, HEARTBEAT_MS)
    this.heartbeat.unref()
    // process.exit() mid-run (a second Ctrl-C exits at once): record the run's end before the
    // store's own last-chance hook flushes and closes it, hence prepended.
    process.prependListener('exit', this.onExit)
    this.held = true
  }

  stepStarted(rowId: number, stepId: string): void {
    this.running.set(rowId, stepId)
  }

  stepEnded(rowId: number): void {
    this.running.delete(rowId)
  }

  /** The run ended normally: heartbeat and exit hook off. */
  release(): void {
    clearInterval(this.heartbeat)
    process.off('exit', this.onExit)
    this.held = false
  }

  /**
   * The exit hook: a run left mid-step by process.exit() is recorded as ended, not left running.
   * Nothing asynchronous runs at 'exit', so only a store with `flushSync` (SQLite, whose methods do
   * their work before they return) records it; on another store the run shows as interrupted once
   * its heartbeat is stale, and resumes.
   */
  private recordHardExit(): void {
    if (!this.held || !this.store.flushSync) return
    this.held = false
    const cancelled = this.signal.aborted
    const status = cancelled ? 'cancelled' : 'failed'
    const why = cancelled ? 'cancelled: exited at once on a second interrupt' : 'the adw process exited while the run was in progress'
    // The step did not fail: it was cut off, and must run again on resume whatever continueOnError says.
    const stepStatus = cancelled ? 'cancelled' : 'interrupted'
    try {
      // The first interrupt sent SIGTERM; its SIGKILL follow-up timer dies with us, so escalate now.
      if (this.running.size > 0) killOwnedNow(this.journal.adwId)
    } catch {
      // best effort
    }
    const ignore = () => {}
    try {
      for (const rowId of this.running.keys()) this.store.finishStep(rowId, {status: stepStatus, error: why}).catch(ignore)
      this.journal.log(cancelled ? 'WARNING' : 'ERROR', 'milestone', `Run ${status}: ${this.pipelineName} (${why})`, {status, error: why, totals: this.journal.totals})
      this.store.finishRun(this.journal.adwId, status, why).catch(ignore)
      this.store.flushSync()
    } catch {
      // exiting anyway; the run then shows as interrupted and still resumes
    }
  }
}
