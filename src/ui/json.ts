import type {EngineEvent, Reporter} from '../engine/events.js'
import {drained, safeWrite} from './streams.js'

/** `--json`: every event as one JSON object per line on stdout, nothing else. */
export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  onEvent(event: EngineEvent): void {
    safeWrite(this.out, JSON.stringify(event) + '\n')
  }

  async close(): Promise<void> {
    await drained(this.out)
  }
}
