/**
 * Run worktrees: a run can work in its own git worktree, on its own branch, so that several runs on
 * one repository never touch each other's files and each ends as a reviewable branch.
 *
 *   adw run --worktree   → isolateRun: checks, `git worktree add -b adw/<id> .adw/worktrees/<id> <base>`, recorded
 *   adw run --resume     → worktreeDirForResume: the same folder (re-created from its branch if it is gone)
 *   adw worktrees        → listWorktrees: run status, uncommitted changes, unpushed commits
 *   adw worktrees prune  → pruneWorktrees: removes those of runs no process drives, holding nothing unsaved
 *
 * Liveness is the run's (pid on this host, heartbeat elsewhere; store/status.ts): a worktree whose
 * process died is not "in use", so nothing stays locked after a crash.
 */
import {existsSync} from 'node:fs'
import {join, relative} from 'node:path'

import type {RunRow, Store} from '../store/types.js'
import {addWorktree, planWorktree, restoreWorktree, type WorktreePlan, type WorktreeRequest} from './create.js'

export {repositoryRoot, WORKTREES_DIR, type WorktreePlan, type WorktreeRequest} from './create.js'
export {listWorktrees, worktreeViews, type WorktreeView} from './list.js'
export {pruneWorktrees, type PruneEntry, type PruneOptions} from './prune.js'

/** Creates the run's worktree and records it (nothing is written when a check fails). */
export async function isolateRun(store: Store, req: WorktreeRequest): Promise<WorktreePlan> {
  const plan = await planWorktree(req)
  await addWorktree(plan)
  await store.recordWorktree(plan)
  return plan
}

/**
 * Where a run being resumed works (its recorded worktree folder, brought back from its branch when
 * it is gone) and where its configuration comes from (the checkout the worktree was made from, whose
 * `.env` it read when it started). `note` says when the worktree had to be re-created.
 */
export async function worktreeDirForResume(store: Store, run: RunRow, note: (line: string) => void): Promise<{workingDir: string; configDir: string}> {
  const w = await store.getWorktree(run.adw_id)
  if (!w) return {workingDir: run.working_dir, configDir: run.working_dir}
  const configDir = join(w.repo, relative(w.path, run.working_dir))
  if (existsSync(run.working_dir)) return {workingDir: run.working_dir, configDir}
  const record = {adwId: w.adw_id, repo: w.repo, baseRef: w.base_ref, baseCommit: w.base_commit, branch: w.branch, path: w.path}
  note(await restoreWorktree(record))
  await store.recordWorktree(record)
  return {workingDir: run.working_dir, configDir}
}
