import type {EngineEvent, Reporter} from '../engine/events.js'
import {drained, safeWrite} from './streams.js'
import {RunTally} from './summary.js'

/** `--quiet`: only the final summary line on stdout; a failure's error also on stderr. */
export class QuietReporter implements Reporter {
  private readonly tally = new RunTally()

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
  ) {}

  onEvent(event: EngineEvent): void {
    this.tally.observe(event)
  }

  async close(): Promise<void> {
    const line = this.tally.summary()
    if (line) safeWrite(this.out, line + '\n')
    const end = this.tally.end
    if (end?.error && end.status !== 'succeeded') safeWrite(this.err, `Error: ${end.error}\n`)
    await Promise.all([drained(this.out), drained(this.err)])
  }
}

/** Shows nothing: for tests and benchmarks of the engine. */
export class SilentReporter implements Reporter {
  onEvent(): void {}
  async close(): Promise<void> {}
}
