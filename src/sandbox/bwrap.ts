import {existsSync, lstatSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

/** What one sandboxed command may do; see index.ts for the whole policy. */
export interface BwrapPolicy {
  /** Real absolute path: the only host directory the command can write. */
  workingDir: string
  /** Where the command starts (inside workingDir). */
  cwd: string
  /** Share the host's network namespace. */
  network: boolean
  /** The invoking user's home (hidden behind an empty private one), when it is a real directory. */
  home?: string
  /** The command's PATH: entries under `home` are mounted back read-only so tools there still run. */
  path?: string
  env: Record<string, string>
}

/**
 * Files inside the working dir that stay read-only: a git hook or `core.hooksPath`/`core.fsmonitor`
 * in .git/config would run later *outside* the sandbox (a `git commit` in a shell step or by the
 * user); `.adw/` holds adw's own record of the run; `.env` holds the project's secrets (masked: reads fail).
 */
const READ_ONLY_INSIDE = ['.git/hooks', '.git/config', '.adw']
const MASKED_INSIDE = ['.env']

/**
 * bubblewrap's arguments for `command` under `policy` (STACK-NOTES §11). Order matters: later
 * mounts cover earlier ones, so the read-only root comes first and the working dir after the
 * private home (it may lie inside it).
 */
export function bwrapArgs(policy: BwrapPolicy, command: string[]): string[] {
  const {workingDir, home} = policy
  const args = [
    // Gone with adw (even after kill -9), its own session (no TIOCSTI into adw's terminal),
    // its own PID namespace: pid 1 is bwrap, and when the command exits every process left is killed.
    '--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    // Run by root, bwrap keeps every capability unless told: `mount -o remount,rw /` would undo the read-only root.
    '--cap-drop', 'ALL',
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
  ]
  if (!policy.network) {
    // No interface but a private loopback; /run (docker.sock, database sockets, D-Bus) is hidden too,
    // since a Unix socket on a read-only mount can still be connected to.
    args.push('--unshare-net', '--tmpfs', '/run')
  }
  // The user's home (~/.ssh, ~/.aws, other projects) becomes an empty private dir; a home inside the
  // working dir stays visible, being part of it.
  if (home && home !== '/' && !isInside(workingDir, home)) {
    args.push('--tmpfs', home)
    for (const dir of toolDirs(policy.path, home, workingDir)) args.push('--ro-bind', dir, dir)
  }
  args.push('--bind', workingDir, workingDir)
  for (const rel of READ_ONLY_INSIDE) {
    const p = join(workingDir, rel)
    if (existsSync(p)) args.push('--ro-bind', p, p)
  }
  // In a linked worktree (adw run --worktree) .git is a file naming the repository's git dir: rewritten,
  // it would point a later, unsandboxed git commit at hooks the command wrote itself.
  const dotGit = join(workingDir, '.git')
  if (isFile(dotGit)) args.push('--ro-bind', dotGit, dotGit)
  for (const rel of MASKED_INSIDE) {
    const p = join(workingDir, rel)
    if (isFile(p)) args.push('--ro-bind', '/dev/null', p)
  }
  args.push('--chdir', policy.cwd, '--clearenv')
  for (const [k, v] of Object.entries(policy.env)) args.push('--setenv', k, v)
  args.push('--', ...command)
  return args
}

/** PATH entries under the hidden home (nvm, ~/.local/bin, ~/.cargo/bin): a `bin` dir brings its parent (lib/ beside it). */
function toolDirs(path: string | undefined, home: string, workingDir: string): string[] {
  const dirs = new Set<string>()
  for (const entry of (path ?? '').split(':')) {
    if (!isAbsolute(entry)) continue
    const dir = resolve(entry)
    if (dir === home || !isInside(home, dir) || isInside(workingDir, dir) || !existsSync(dir)) continue
    const top = basename(dir) === 'bin' && dirname(dir) !== home ? dirname(dir) : dir
    dirs.add(top)
  }
  // A dir inside another one already mounted needs no mount of its own.
  return [...dirs].filter(d => ![...dirs].some(o => o !== d && isInside(o, d)))
}

function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile()
  } catch {
    return false
  }
}

/** True when `p` is `root` or below it (both absolute). */
function isInside(root: string, p: string): boolean {
  const rel = relative(root, p)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel))
}
