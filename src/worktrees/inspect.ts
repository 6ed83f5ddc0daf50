import {existsSync, realpathSync} from 'node:fs'
import {hostname} from 'node:os'

import {effectiveStatus, pidAlive} from '../store/status.js'
import type {RunRow, RunStatus, WorktreeRow} from '../store/types.js'
import {tryGit} from './git.js'

/** Who is using a worktree: its run's status, `starting` (its creator is alive, no run row yet) or `none`. */
export type WorktreeUse = RunStatus | 'starting' | 'none'

/** What a worktree holds that removing it could lose. */
export interface WorktreeState {
  /** The folder exists and git knows it as a worktree. */
  present: boolean
  /** Uncommitted changes: modified, staged and untracked files. */
  changes: number
  /** Commits on the branch since the base that no remote-tracking branch has. */
  unpushed: number
  branchExists: boolean
}

/** The run's shown status (a dead `running` run is `interrupted`), or the creator's liveness before the run row exists. */
export function worktreeUse(w: WorktreeRow, run: RunRow | undefined): WorktreeUse {
  if (run) return effectiveStatus(run)
  return w.pid !== null && w.host === hostname() && pidAlive(w.pid) ? 'starting' : 'none'
}

/** Whether a run still owns it (working, starting, or waiting at an approval gate to go on): never removed, not even with --force. */
export const inUse = (use: WorktreeUse): boolean => use === 'running' || use === 'starting' || use === 'waiting'

/** Looks at the worktree with git: present, uncommitted changes, unpushed commits. */
export async function inspectWorktree(w: WorktreeRow): Promise<WorktreeState> {
  const branchExists = (await tryGit(w.repo, ['show-ref', '--verify', '--quiet', `refs/heads/${w.branch}`]).catch(() => ({exitCode: 1}))).exitCode === 0
  const unpushed = branchExists ? await countUnpushed(w) : 0
  if (!existsSync(w.path)) return {present: false, changes: 0, unpushed, branchExists}
  const top = await tryGit(w.path, ['rev-parse', '--show-toplevel']).catch(() => undefined)
  if (!top || top.exitCode !== 0 || top.stdout !== realpathSync(w.path)) return {present: false, changes: 0, unpushed, branchExists}
  const status = await tryGit(w.path, ['status', '--porcelain', '--untracked-files=all'])
  const changes = status.exitCode === 0 ? status.stdout.split('\n').filter(Boolean).length : 0
  return {present: true, changes, unpushed, branchExists}
}

async function countUnpushed(w: WorktreeRow): Promise<number> {
  const r = await tryGit(w.repo, ['rev-list', '--count', `refs/heads/${w.branch}`, '--not', w.base_commit, '--remotes'])
  return r.exitCode === 0 ? Number(r.stdout) || 0 : 0
}
