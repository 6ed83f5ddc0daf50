import {once} from 'node:events'

/** Waits until `stream` has flushed its buffer (or errored/closed); resolves at once when nothing is pending. */
export async function drained(stream: NodeJS.WritableStream): Promise<void> {
  const w = stream as NodeJS.WritableStream & {writableNeedDrain?: boolean; destroyed?: boolean}
  if (!w.writableNeedDrain || w.destroyed) return
  const ac = new AbortController()
  try {
    await Promise.race([
      once(w, 'drain', {signal: ac.signal}),
      once(w, 'close', {signal: ac.signal}),
      once(w, 'error', {signal: ac.signal}),
    ])
  } catch {
    // an error on the output stream is the caller's business, not the view's
  } finally {
    ac.abort()
  }
}

/** Writes without ever throwing (a closed pipe must not crash the run). */
export function safeWrite(stream: NodeJS.WritableStream, text: string): void {
  try {
    stream.write(text)
  } catch {
    // ignored: see above
  }
}
