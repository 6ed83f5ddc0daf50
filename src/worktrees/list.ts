import {relative} from 'node:path'

import {dateTime, table} from '../history/format.js'
import {openExistingStore} from '../history/open.js'
import type {WorktreeRow} from '../store/types.js'
import {inspectWorktree, worktreeUse, type WorktreeState, type WorktreeUse} from './inspect.js'

/** One worktree as `adw worktrees` shows it. */
export interface WorktreeView {
  adwId: string
  branch: string
  path: string
  repo: string
  baseRef: string
  baseCommit: string
  createdAt: string
  /** The run's status (`interrupted` when its process died), `starting`, or `none` (no run recorded). */
  run: WorktreeUse
  state: WorktreeState
}

/** Every recorded worktree that has not been pruned, newest first, with its run's status and what it holds. */
export async function worktreeViews(dbPath: string): Promise<WorktreeView[]> {
  const store = await openExistingStore(dbPath)
  let rows: Array<{w: WorktreeRow; run: WorktreeUse}>
  try {
    rows = []
    for (const w of await store.listWorktrees()) rows.push({w, run: worktreeUse(w, await store.getRun(w.adw_id))})
  } finally {
    await store.close()
  }
  return Promise.all(rows.map(async ({w, run}) => ({
    adwId: w.adw_id,
    branch: w.branch,
    path: w.path,
    repo: w.repo,
    baseRef: w.base_ref,
    baseCommit: w.base_commit,
    createdAt: w.created_at,
    run,
    state: await inspectWorktree(w),
  })))
}

/** What a worktree holds, in a few words: `clean`, `3 uncommitted, 1 unpushed`, `missing`. */
export function holds(s: WorktreeState): string {
  const parts = [s.changes > 0 && `${s.changes} uncommitted`, s.unpushed > 0 && `${s.unpushed} unpushed`].filter(Boolean)
  if (!s.present) return parts.length ? `folder missing; branch has ${parts.join(', ')}` : 'folder missing'
  return parts.length ? parts.join(', ') : 'clean'
}

/** `adw worktrees`: a table, or NDJSON with `--json`. */
export async function listWorktrees(opts: {dbPath: string; json?: boolean; cwd?: string; write: (text: string) => void}): Promise<void> {
  const views = await worktreeViews(opts.dbPath)
  if (opts.json) {
    if (views.length) opts.write(views.map(v => JSON.stringify(v)).join('\n'))
    return
  }
  if (views.length === 0) {
    opts.write('No run worktrees. Start a run in one with: adw run <pipeline> --worktree')
    return
  }
  const cwd = opts.cwd ?? process.cwd()
  const rows = views.map(v => [v.adwId, v.branch, v.run, holds(v.state), dateTime(v.createdAt), shortPath(v.path, cwd)])
  opts.write(table(['ADW_ID', 'BRANCH', 'RUN', 'HOLDS', 'CREATED', 'PATH'], rows).join('\n'))
}

/** A path relative to the current folder when that is shorter. */
export function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel && rel.length < path.length ? rel : path
}
