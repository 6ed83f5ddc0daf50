import {existsSync, rmSync} from 'node:fs'
import {join, relative, sep} from 'node:path'

import {table} from '../history/format.js'
import {openExistingStore} from '../history/open.js'
import {firstLines, tryGit} from './git.js'
import {inUse} from './inspect.js'
import {holds, worktreeViews, type WorktreeView} from './list.js'
import {WORKTREES_DIR} from './create.js'

export interface PruneOptions {
  dbPath: string
  /** Also remove worktrees holding uncommitted changes or unpushed commits (never those of a live run). */
  force?: boolean
  /** Say what would be removed; remove nothing. */
  dryRun?: boolean
  json?: boolean
  write: (text: string) => void
}

export interface PruneEntry {
  adwId: string
  branch: string
  path: string
  run: WorktreeView['run']
  action: 'removed' | 'would remove' | 'kept' | 'failed'
  note: string
}

/**
 * `adw worktrees prune`: removes the worktrees of runs that no process drives any more (finished,
 * or interrupted: their process died) and that hold nothing unsaved; `force` removes those with
 * uncommitted changes or unpushed commits too. A live run's worktree is never touched. The branch
 * goes with its worktree unless it has commits no remote has (then it stays, and the note says so).
 */
export async function pruneWorktrees(opts: PruneOptions): Promise<PruneEntry[]> {
  const views = await worktreeViews(opts.dbPath)
  const entries: PruneEntry[] = []
  for (const v of views) entries.push(await pruneOne(v, opts))
  const removed = entries.filter(e => e.action === 'removed').map(e => e.adwId)
  if (removed.length) {
    const store = await openExistingStore(opts.dbPath)
    try {
      const at = new Date().toISOString()
      for (const id of removed) await store.setWorktreeRemoved(id, at)
    } finally {
      await store.close()
    }
  }
  report(entries, opts)
  return entries
}

async function pruneOne(v: WorktreeView, opts: PruneOptions): Promise<PruneEntry> {
  const entry = {adwId: v.adwId, branch: v.branch, path: v.path, run: v.run}
  if (inUse(v.run)) return {...entry, action: 'kept', note: `in use: the run is ${v.run}`}
  const unsaved = v.state.changes > 0 || v.state.unpushed > 0
  if (unsaved && !opts.force) return {...entry, action: 'kept', note: `holds ${holds(v.state)}: commit and push it, or --force`}
  const keepBranch = v.state.unpushed > 0
  const branchNote = !v.state.branchExists ? '' : keepBranch ? `; branch ${v.branch} kept (${v.state.unpushed} unpushed commit${v.state.unpushed === 1 ? '' : 's'})` : `; branch ${v.branch} deleted`
  const what = unsaved && v.state.changes > 0 ? `${v.state.changes} uncommitted change${v.state.changes === 1 ? '' : 's'} discarded` : v.state.present ? 'clean' : 'folder was already gone'
  if (opts.dryRun) return {...entry, action: 'would remove', note: `${what}${branchNote}`}
  const failure = await removeWorktree(v)
  if (failure) return {...entry, action: 'failed', note: failure}
  if (v.state.branchExists && !keepBranch) await tryGit(v.repo, ['branch', '-D', '--end-of-options', v.branch])
  return {...entry, action: 'removed', note: `${what}${branchNote}`}
}

/** `git worktree remove --force`; a folder git no longer knows is deleted only inside `.adw/worktrees/`. Returns a failure message. */
async function removeWorktree(v: WorktreeView): Promise<string | undefined> {
  if (v.state.present) {
    const r = await tryGit(v.repo, ['worktree', 'remove', '--force', '--force', v.path])
    if (r.exitCode !== 0) return `git worktree remove failed: ${firstLines(r.stderr)}`
  } else if (existsSync(v.path)) {
    const rel = relative(join(v.repo, WORKTREES_DIR), v.path)
    if (!rel || rel.startsWith('..') || rel.includes(sep)) return `${v.path} is not a git worktree any more; left alone (remove it yourself)`
    rmSync(v.path, {recursive: true, force: true})
  }
  await tryGit(v.repo, ['worktree', 'prune'])
  return undefined
}

function report(entries: PruneEntry[], opts: PruneOptions): void {
  if (opts.json) {
    if (entries.length) opts.write(entries.map(e => JSON.stringify(e)).join('\n'))
    return
  }
  if (entries.length === 0) {
    opts.write('No run worktrees to prune.')
    return
  }
  const lines = table(['ADW_ID', 'BRANCH', 'RUN', 'ACTION', 'NOTE'], entries.map(e => [e.adwId, e.branch, e.run, e.action, e.note]))
  const kept = entries.filter(e => e.action === 'kept')
  const done = entries.filter(e => e.action === 'removed' || e.action === 'would remove').length
  const unsaved = kept.filter(e => !inUse(e.run)).length
  lines.push('', `${opts.dryRun ? 'Would remove' : 'Removed'} ${done} worktree${done === 1 ? '' : 's'}${kept.length ? `; kept ${kept.length}` : ''}${unsaved && !opts.force ? ' (--force removes those holding unsaved work)' : ''}.`)
  if (opts.dryRun) lines.push('Nothing was removed (--dry-run).')
  opts.write(lines.join('\n'))
}
