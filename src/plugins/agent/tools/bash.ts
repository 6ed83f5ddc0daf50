import {execa} from 'execa'
import {sandboxLaunch} from '../../../sandbox/index.js'
import {cap, oneLine, type Tool} from './types.js'

const DEFAULT_TIMEOUT_MS = 120_000
const MAX_TIMEOUT_MS = 600_000
const MAX_OUTPUT = 30_000
/** What we keep in memory while a command runs, however much it prints. */
const KEEP_HEAD = 20_000
const KEEP_TAIL = 10_000

/** Kills the whole process group (bash and its children), ignoring an already-gone group. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group has already exited.
  }
}

export const Bash: Tool<{command: string; timeout?: number}> = {
  name: 'Bash',
  description:
    'Runs a bash command in the working directory and returns its combined stdout and stderr (long output is cut in the ' +
    `middle) and exit code. Use it to run tests, builds, linters and git. timeout in milliseconds (default ${DEFAULT_TIMEOUT_MS}, ` +
    `max ${MAX_TIMEOUT_MS}). Commands run to completion; background processes are stopped when the command ends. ` +
    'It runs in a sandbox: only the working directory and a private /tmp (emptied afterwards) are writable, ' +
    'there is no network unless the step allows it, and the environment is minimal. Prefer Read/Write/Edit/Glob/Grep for files.',
  input_schema: {
    type: 'object',
    properties: {
      command: {type: 'string', description: 'The command line, run with bash -c'},
      timeout: {type: 'integer', minimum: 1000, maximum: MAX_TIMEOUT_MS, description: 'Milliseconds before the command is killed'},
    },
    required: ['command'],
  },
  summarize: i => oneLine(i.command),
  async run(input, {root, signal, env, sandbox}) {
    if (typeof input.command !== 'string' || !input.command.trim()) throw new Error('command is required.')
    const timeoutMs = Math.min(Math.max(input.timeout ?? DEFAULT_TIMEOUT_MS, 1000), MAX_TIMEOUT_MS)
    // Under bwrap the whole tree dies with it (its own PID namespace); unsandboxed (sandbox: off), killing
    // the group is what reaches grandchildren.
    const launch = await sandboxLaunch({command: ['bash', '-c', input.command], workingDir: root, env, network: sandbox.network}, sandbox)
    // detached: bwrap (or bash) leads its own process group, so a timeout or abort kills grandchildren too (STACK-NOTES §5).
    const sub = execa(launch.file, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      extendEnv: false,
      detached: true,
      reject: false,
      buffer: false,
      all: true,
      stdin: 'ignore',
    })
    let head = ''
    let tail = ''
    let total = 0
    sub.all?.setEncoding('utf8')
    sub.all?.on('data', (chunk: string) => {
      total += chunk.length
      if (head.length < KEEP_HEAD) {
        const room = KEEP_HEAD - head.length
        head += chunk.slice(0, room)
        chunk = chunk.slice(room)
      }
      if (chunk) tail = (tail + chunk).slice(-KEEP_TAIL)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(sub.pid)
    }, timeoutMs)
    const onAbort = () => killGroup(sub.pid)
    signal.addEventListener('abort', onAbort, {once: true})
    if (signal.aborted) onAbort()
    // When bash exits, stop whatever it left behind, so no orphan holds the output pipe open.
    sub.nodeChildProcess.once('exit', () => killGroup(sub.pid))
    try {
      const r = await sub
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Bash command cancelled')
      const omitted = total - head.length - tail.length
      const output = omitted > 0 ? `${head}\n\n... [${omitted} characters omitted] ...\n\n${tail}` : head + tail
      const status = timedOut ? `Killed after ${timeoutMs} ms (timeout).` : r.signal ? `Killed by ${r.signal}.` : `Exit code ${r.exitCode}.`
      const text = cap(output.trimEnd(), MAX_OUTPUT) + (output.trim() ? '\n' : '') + status
      if (timedOut || r.exitCode !== 0) throw new Error(text)
      return text
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  },
}
