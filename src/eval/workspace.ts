/**
 * A variant's own folder: a copy of the case's fixture in the temp dir, or a git worktree of the
 * case's repository at its ref (recorded like `adw run --worktree`'s, on branch adw/<adw-id>), so
 * parallel variants never see each other's files. It is kept until the variant is decided, so an
 * interrupted eval resumes the run where it stopped; then removed (the branch stays) unless kept.
 */
import {cpSync, existsSync, mkdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import type {Store} from '../store/types.js'
import type {CaseStart} from './suite.js'

export interface Workspace {
  /** Where the run works. */
  dir: string
  kind: CaseStart['kind']
}

/** The temp folder holding an eval's fixture copies. */
export const evalTempDir = (evalId: string): string => join(tmpdir(), `adw-eval-${evalId}`)

/** Makes the variant's folder. */
export async function createWorkspace(store: Store, start: CaseStart, evalId: string, adwId: string): Promise<Workspace> {
  if (start.kind === 'fixture') {
    const dir = join(evalTempDir(evalId), adwId)
    rmSync(dir, {recursive: true, force: true})
    mkdirSync(dir, {recursive: true})
    // adw's own state (.adw: a database, worktrees) never travels with a fixture.
    cpSync(start.dir, dir, {recursive: true, filter: src => basename(src) !== '.adw'})
    return {dir, kind: 'fixture'}
  }
  const {isolateRun} = await import('../worktrees/index.js')
  const plan = await isolateRun(store, {adwId, workingDir: start.repo, base: start.ref})
  return {dir: plan.workingDir, kind: 'repo'}
}

/** Whether a recorded workspace can be resumed in. */
export const workspaceExists = (dir: string | null): dir is string => dir !== null && existsSync(dir)

/** Removes the variant's folder (a worktree through git; its branch stays for inspection). */
export async function removeWorkspace(store: Store, kind: CaseStart['kind'], dir: string, adwId: string): Promise<void> {
  if (kind === 'fixture') {
    rmSync(dir, {recursive: true, force: true})
    return
  }
  const w = await store.getWorktree(adwId)
  if (!w) return
  const {tryGit} = await import('../worktrees/git.js')
  const r = await tryGit(w.repo, ['worktree', 'remove', '--force', w.path])
  if (r.exitCode === 0) await store.setWorktreeRemoved(adwId, new Date().toISOString())
}
