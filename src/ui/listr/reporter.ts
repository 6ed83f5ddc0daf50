import type {EngineEvent, Reporter} from '../../engine/events.js'
import {drained, safeWrite} from '../streams.js'
import {RunTally} from '../summary.js'
import {RunModel} from './model.js'

/** The default view: listr2 tasks per step (live in a TTY, plain lines otherwise), then a summary. */
export class ListrReporter implements Reporter {
  private readonly tally = new RunTally()
  private model?: RunModel
  private drawing?: Promise<void>
  // loaded while the engine prepares, so the quiet/json/silent paths never pay for listr2
  private readonly view = import('./tasks.js')

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
    private readonly tty: boolean,
    private readonly verbose = false,
  ) {
    this.view.catch(() => {}) // reported in close() instead
  }

  onEvent(event: EngineEvent): void {
    try {
      this.tally.observe(event)
      if (event.type === 'run:start') {
        if (this.model) return
        const model = (this.model = new RunModel(event.outline ?? [], this.tty ? 0 : 200, this.verbose))
        const opts = {stdout: this.out, stderr: this.err, tty: this.tty}
        this.drawing = this.view.then(v => v.runListr(model, opts)).catch(error => {
          safeWrite(this.err, `adw: the terminal view failed (${error?.message ?? error}); the run goes on\n`)
        })
      } else {
        this.model?.onEvent(event)
      }
    } catch {
      // the view must never break the run
    }
  }

  async close(): Promise<void> {
    this.model?.finish('not run')
    await this.drawing
    const summary = this.tally.summary()
    // (the TTY renderer already ends with a blank line)
    if (summary) safeWrite(this.out, `${this.tty ? '' : '\n'}${[summary, ...this.tally.story(), ...this.tally.hints()].join('\n')}\n`)
    await Promise.all([drained(this.out), drained(this.err)])
  }
}
