import {execa} from 'execa'

/**
 * The `git` CLI, run with an argument array (never through a shell), from `cwd`, in a predictable
 * environment: no GIT_DIR / GIT_WORK_TREE / GIT_INDEX_FILE inherited from the caller (they would point
 * every command at another repository), no credential prompt (a push waits for nobody), C messages.
 */
export interface GitResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** git could not be run at all, or a command that must succeed failed. */
export class GitError extends Error {
  readonly args: string[]
  readonly stderr: string
  readonly exitCode: number | undefined
  constructor(args: string[], stderr: string, exitCode: number | undefined, message?: string) {
    super(message ?? `git ${args.join(' ')} failed${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ${firstLines(stderr)}`)
    this.name = 'GitError'
    this.args = args
    this.stderr = stderr
    this.exitCode = exitCode
  }
}

const SCRUBBED = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES']

/** The environment git runs with: `base` (default process.env) without the variables that redirect it. */
export function gitEnv(base: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !SCRUBBED.includes(k)) env[k] = v
  return {...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C'}
}

export interface GitOptions {
  /** Environment to start from (a run's env); GIT_DIR and friends are removed. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
  signal?: AbortSignal
}

/** Runs git; a non-zero exit is returned, not thrown. Throws GitError only when git cannot start. */
export async function tryGit(cwd: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const result = await execa('git', args, {cwd, env: gitEnv(opts.env), extendEnv: false, reject: false, stdin: 'ignore', cancelSignal: opts.signal, forceKillAfterDelay: 2000})
  if (result.isCanceled) throw opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('cancelled')
  if (result.exitCode === undefined) {
    const why = (result as {code?: string}).code === 'ENOENT' ? 'git is not installed (no git on PATH)' : (result.shortMessage ?? result.message)
    throw new GitError(args, String(result.stderr ?? ''), undefined, `cannot run git in ${cwd}: ${why}`)
  }
  return {stdout: String(result.stdout).trimEnd(), stderr: String(result.stderr).trim(), exitCode: result.exitCode}
}

/** Runs git and returns its stdout; a non-zero exit is a GitError with git's own message. */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const r = await tryGit(cwd, args, opts)
  if (r.exitCode !== 0) throw new GitError(args, r.stderr || r.stdout, r.exitCode)
  return r.stdout
}

/** git's message, shortened to its first lines (hints dropped). */
export function firstLines(text: string, n = 3): string {
  return text
    .split('\n')
    .filter(l => l.trim() && !l.startsWith('hint:'))
    .slice(0, n)
    .join(' / ')
}
