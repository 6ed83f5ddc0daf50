/**
 * One run, one child process: `adw worker exec <adw-id>` with its own signals, environment and
 * working directory. The child watches the stdin pipe the worker holds (see exec.ts): closing it
 * (`handBack`) or the worker dying stops the child and its steps at once.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'

import {PACKAGE_ROOT} from '../engine/start.js'
import type {ExecResult} from './exec.js'

export interface RunChild {
  adwId: string
  since: string
  pid: number
  /** Ends the child (it kills its steps, then itself): the run is left for another worker to resume. */
  handBack(): void
  handedBack: boolean
  /** How it ended: its result line (none when it was killed or crashed), exit code, signal, stderr tail. */
  done: Promise<{result?: ExecResult; exitCode: number | null; signal: NodeJS.Signals | null; stderr: string}>
}

export interface ChildOptions {
  adwId: string
  db: string
  workingDir?: string
  cwd: string
  env: NodeJS.ProcessEnv
}

/** Most of a child's stderr kept for the worker's message when it fails oddly. */
const STDERR_TAIL = 4000

export function startChild(opts: ChildOptions): RunChild {
  const args = [...process.execArgv, join(PACKAGE_ROOT, 'bin/run.js'), 'worker', 'exec', opts.adwId, '--db', opts.db, ...(opts.workingDir ? ['--working-dir', opts.workingDir] : [])]
  // Its own process group: a Ctrl-C in the worker's terminal reaches the worker (which stops
  // gracefully), not the runs directly.
  const child: ChildProcess = spawn(process.execPath, args, {cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true})
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout = (stdout + d).slice(-STDERR_TAIL)
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_TAIL)
  })
  child.stdin!.on('error', () => {}) // the child died first: nothing to tell it
  const run: RunChild = {
    adwId: opts.adwId,
    since: new Date().toISOString(),
    pid: child.pid ?? -1,
    handedBack: false,
    handBack() {
      if (run.handedBack) return
      run.handedBack = true
      child.stdin!.end()
    },
    done: new Promise(resolve => {
      child.on('error', error => resolve({exitCode: null, signal: null, stderr: `${stderr}\n${error.message}`}))
      child.on('close', (exitCode, signal) => resolve({result: lastResult(stdout), exitCode, signal, stderr}))
    }),
  }
  return run
}

function lastResult(stdout: string): ExecResult | undefined {
  const line = stdout.trim().split('\n').pop()
  if (!line?.startsWith('{')) return undefined
  try {
    return JSON.parse(line) as ExecResult
  } catch {
    return undefined
  }
}
