import type {ResultPromise} from 'execa'

/** How every step's child process runs; see startStepProcess. */
const STEP_PROCESS = {extendEnv: false, detached: true, reject: false, stdin: 'ignore', buffer: false, encoding: 'utf8'} as const

/**
 * Starts a step's child process: in a process group of its own (so killTree reaches grandchildren),
 * with exactly `env`, stdin closed, output streamed rather than buffered, and a non-zero exit
 * returned rather than thrown. execa loads on first use, so commands that never run a process start
 * without it. The child is wrapped in an object: awaiting it would wait for its exit.
 */
export async function startStepProcess(file: string, args: string[], opts: {cwd: string; env: Record<string, string | undefined>}) {
  const {execa} = await import('execa')
  return {child: execa(file, args, {...STEP_PROCESS, ...opts})}
}

/**
 * Kills a detached child's whole process group (a timeout or cancel must not leave grandchildren
 * holding the pipes: STACK-NOTES §5): SIGTERM now, SIGKILL after `graceMs` if anything is left.
 */
export function killTree(child: ResultPromise, graceMs = 2000): void {
  const pid = child.pid
  if (pid === undefined) return
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig)
    } catch {
      // already gone
    }
  }
  signal('SIGTERM')
  const t = setTimeout(() => signal('SIGKILL'), graceMs)
  t.unref()
  child.finally(() => clearTimeout(t)).catch(() => {})
}

/** Keeps the last `max` characters of a stream in memory, never more. */
export class Tail {
  private chunks: string[] = []
  private size = 0
  truncated = false
  constructor(private readonly max: number) {}
  push(s: string): void {
    this.chunks.push(s)
    this.size += s.length
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length
      this.truncated = true
    }
    if (this.size > this.max) {
      const only = this.chunks[0]
      this.chunks[0] = only.slice(only.length - this.max)
      this.size = this.max
      this.truncated = true
    }
  }
  toString(): string {
    return this.chunks.join('')
  }
}
