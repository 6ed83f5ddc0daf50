/**
 * Where a replay works: a detached git worktree of the recorded run's repository at the commit the
 * run started from (recorded with the run, see engine/recorder.ts), or, for a folder that is not a git
 * checkout, a temporary copy of it as it is now. Either way the original working dir is never touched.
 */
import {cpSync, existsSync, mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'
import type {RunRow, WorktreeRow} from '../store/types.js'
import type {RecordedBase} from './recorded.js'

export interface Workspace {
  /** Where the replayed run works. */
  workingDir: string
  /** How it was made, for the user: `git worktree at 1a2b3c4` or `copy of /path`. */
  how: string
  /** Things the user should know (uncommitted changes not replayed, a copy of today's files). */
  notes: string[]
  remove(): Promise<void>
}

export async function makeWorkspace(run: RunRow, base: RecordedBase | undefined, worktree: WorktreeRow | undefined, exclude: string[]): Promise<Workspace> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'adw-replay-')))
  const repo = base && [base.repo, worktree?.repo].find(d => d && existsSync(d))
  if (base && repo) {
    const {git} = await import('../worktrees/git.js')
    const tree = join(root, 'work')
    await git(repo, ['worktree', 'add', '--detach', '--quiet', tree, base.commit])
    const sub = relative(base.repo, run.working_dir)
    const notes = base.dirty ? [`The working dir had uncommitted changes when run ${run.adw_id} started; the replay starts from commit ${base.commit.slice(0, 7)} without them, so tool results that read them may diverge.`] : []
    return {
      workingDir: sub && !sub.startsWith('..') ? join(tree, sub) : tree,
      how: `git worktree at ${base.commit.slice(0, 7)}`,
      notes,
      remove: async () => {
        await git(repo, ['worktree', 'remove', '--force', tree]).catch(() => undefined)
        rmSync(root, {recursive: true, force: true})
      },
    }
  }
  if (!existsSync(run.working_dir)) {
    rmSync(root, {recursive: true, force: true})
    const {AdwError} = await import('../errors.js')
    throw new AdwError('USAGE', `Cannot replay run "${run.adw_id}": it recorded no git commit to start from and its working directory ${run.working_dir} no longer exists`, {suggestions: ['restore the directory, or replay a run made in a git checkout']})
  }
  const skip = new Set(exclude.flatMap(f => [resolve(f), `${resolve(f)}-wal`, `${resolve(f)}-shm`]))
  const copy = join(root, 'work')
  cpSync(run.working_dir, copy, {recursive: true, filter: src => !skip.has(resolve(src)) && !/[\\/]\.adw$/.test(src)})
  return {
    workingDir: copy,
    how: `copy of ${run.working_dir}`,
    notes: [`Run ${run.adw_id} recorded no git commit (its working dir is not a git checkout): the replay starts from a copy of the folder as it is now, so tool results that read changed files may diverge.`],
    remove: async () => rmSync(root, {recursive: true, force: true}),
  }
}
