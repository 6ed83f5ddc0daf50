import {existsSync, mkdirSync, realpathSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'

import pRetry, {AbortError} from 'p-retry'

import {AdwError} from '../errors.js'
import {ensureStateDir, STATE_DIR} from '../project.js'
import type {NewWorktree} from '../store/types.js'
import {firstLines, git, GitError, tryGit} from './git.js'

/** Where a run's worktree goes, under the repository's top level: `.adw/worktrees/<adw-id>` (ignored by `.adw/.gitignore`). */
export const WORKTREES_DIR = join(STATE_DIR, 'worktrees')

export interface WorktreeRequest {
  adwId: string
  /** The folder the run would work in without a worktree (inside the repository). */
  workingDir: string
  /** Commit-ish the branch starts from. @default HEAD */
  base?: string
  /** @default adw/<adw-id> */
  branch?: string
}

/** A worktree that passed every check and can be created (nothing is written yet). */
export interface WorktreePlan extends NewWorktree {
  /** Where the run works: the worktree, or the same subfolder of it as `workingDir` was of the repository. */
  workingDir: string
}

/**
 * Checks a worktree request against the repository (a git repository with that base commit, a
 * valid and unused branch name, a free path) and resolves it. Every refusal is an AdwError, exit 2.
 */
export async function planWorktree(req: WorktreeRequest): Promise<WorktreePlan> {
  const top = await repositoryRoot(req.workingDir)
  const baseRef = req.base ?? 'HEAD'
  const base = await tryGit(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${baseRef}^{commit}`])
  if (base.exitCode !== 0) {
    const noCommits = baseRef === 'HEAD' && (await tryGit(top, ['rev-parse', '--verify', '--quiet', 'HEAD'])).exitCode !== 0
    throw new AdwError('WORKTREE', noCommits ? `--worktree: the repository ${top} has no commit yet to branch from` : `--base ${baseRef}: no such commit, branch or tag in ${top}`, {
      suggestions: [noCommits ? 'commit something first (git commit --allow-empty -m init)' : 'git branch -a lists the branches; --base takes any commit-ish (main, origin/main, a tag, a sha)'],
    })
  }
  const branch = req.branch ?? `adw/${req.adwId}`
  if ((await tryGit(top, ['check-ref-format', '--branch', branch])).exitCode !== 0) {
    throw new AdwError('USAGE', `--branch "${branch}" is not a valid git branch name`, {suggestions: ['use letters, digits, "/", "-", "_" and "." (e.g. adw/feat-42)']})
  }
  if ((await tryGit(top, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])).exitCode === 0) {
    throw new AdwError('WORKTREE', `Branch ${branch} already exists in ${top}; a run's worktree starts on a new branch`, {
      suggestions: ['choose another --branch (or --adw-id)', `or delete the old branch: git -C ${top} branch -D ${branch}`],
    })
  }
  const path = join(top, WORKTREES_DIR, req.adwId)
  if (existsSync(path)) {
    throw new AdwError('WORKTREE', `The worktree folder ${path} already exists`, {suggestions: ['adw worktrees prune removes those of finished runs', 'or choose another --adw-id']})
  }
  const sub = relative(top, realpathSync(req.workingDir))
  return {adwId: req.adwId, repo: top, baseRef, baseCommit: base.stdout, branch, path, workingDir: join(path, sub)}
}

/** Creates the planned worktree: `git worktree add -b <branch> <path> <base commit>`. Untracked files (`.env`) are not copied. */
export async function addWorktree(plan: WorktreePlan): Promise<void> {
  ensureWorktreesDir(plan.repo)
  try {
    await pRetry(
      async () => {
        try {
          await git(plan.repo, ['worktree', 'add', '--quiet', '-b', plan.branch, plan.path, plan.baseCommit])
        } catch (error) {
          if (!(error instanceof GitError) || !RACE.test(error.stderr)) throw new AbortError(error as Error)
          await undoPartialAdd(plan)
          throw error
        }
      },
      {retries: 4, minTimeout: 50, maxTimeout: 500, randomize: true},
    )
  } catch (error) {
    if (!(error instanceof GitError)) throw error
    throw new AdwError('WORKTREE', `Could not create the worktree ${plan.path}: ${firstLines(error.stderr)}`, {cause: error})
  }
}

/**
 * git reads every registered worktree's metadata while adding one; a worktree another process is
 * adding at that moment can be half-written ("failed to read .git/worktrees/x/commondir"), which
 * fails this add though nothing is wrong. Seen with 4 runs starting at once on one repository.
 */
const RACE = /failed to read .*worktrees\/[^/]+\/(commondir|gitdir|HEAD)/

/** Before another try: what the failed add may have left (its worktree and folder, its branch). Never `git worktree prune`: it could drop another process's half-written entry. */
async function undoPartialAdd(plan: WorktreePlan): Promise<void> {
  if (existsSync(plan.path)) await tryGit(plan.repo, ['worktree', 'remove', '--force', plan.path])
  rmSync(plan.path, {recursive: true, force: true})
  await tryGit(plan.repo, ['branch', '-D', plan.branch])
}

/**
 * Brings back the worktree of a run being resumed when its folder is gone (pruned, deleted): on
 * its branch if that still exists, else a new branch of that name at the run's base commit.
 * Returns what was done, for a note.
 */
export async function restoreWorktree(w: NewWorktree): Promise<string> {
  ensureWorktreesDir(w.repo)
  await tryGit(w.repo, ['worktree', 'prune'])
  const hasBranch = (await tryGit(w.repo, ['show-ref', '--verify', '--quiet', `refs/heads/${w.branch}`])).exitCode === 0
  const args = hasBranch ? ['worktree', 'add', '--quiet', w.path, w.branch] : ['worktree', 'add', '--quiet', '-b', w.branch, w.path, w.baseCommit]
  try {
    await git(w.repo, args)
  } catch (error) {
    if (!(error instanceof GitError)) throw error
    throw new AdwError('WORKTREE', `Cannot resume run "${w.adwId}": its worktree ${w.path} is gone and could not be re-created: ${firstLines(error.stderr)}`, {cause: error})
  }
  return hasBranch ? `Re-created the worktree ${w.path} on branch ${w.branch}` : `Re-created the worktree ${w.path} on a new branch ${w.branch} at ${w.baseCommit.slice(0, 12)} (the old branch was deleted)`
}

/** The top level of the git repository holding `dir`; NOT_A_GIT_REPO (exit 2) when there is none. */
export async function repositoryRoot(dir: string): Promise<string> {
  let r
  try {
    r = await tryGit(dir, ['rev-parse', '--show-toplevel'])
  } catch (error) {
    throw new AdwError('NOT_A_GIT_REPO', `--worktree needs git: ${(error as Error).message}`, {suggestions: ['install git, or run without --worktree'], cause: error})
  }
  if (r.exitCode !== 0 || !r.stdout) {
    throw new AdwError('NOT_A_GIT_REPO', `--worktree needs a git repository, and the working directory ${dir} is not inside one`, {
      suggestions: ['run adw in a git repository (or git init and commit first)', 'or run without --worktree (and without isolation: worktree), to work in the folder itself'],
    })
  }
  return r.stdout
}

/** `<repo>/.adw/worktrees/`, `.adw/` with its `.gitignore` of `*`: the worktrees never show in `git status`. */
function ensureWorktreesDir(repo: string): void {
  ensureStateDir(join(repo, STATE_DIR))
  mkdirSync(join(repo, WORKTREES_DIR), {recursive: true})
}
