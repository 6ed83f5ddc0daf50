import type {GitOptions} from '../worktrees/git.js'
import type {ExecutorContext, StepExecutor} from './types.js'

export interface GitStepOptions {
  /** Commit what the run changed with this message (a template: `{{steps.plan.outputs.summary}}`). */
  commit?: string
  /** What to stage, as paths relative to the working directory. @default ['.'] (everything; `.env` files never) */
  add?: string[]
  /** Push the current branch (with --set-upstream). @default false */
  push?: boolean
  /** @default origin */
  remote?: string
  /** Fail the step when there is nothing to commit. @default false */
  requireChanges?: boolean
}

/** `.env` files are never staged by adw: they hold the project's secrets (README § Worktrees and pull requests). */
const NEVER_STAGED = [':(exclude,glob)**/.env']

/** Commits what the run changed and pushes the branch, with the `git` CLI in the working directory. */
export const gitExecutor: StepExecutor<GitStepOptions> = {
  name: 'git',
  description: 'Commits what the run changed (never .env files) and pushes the branch; outputs committed, sha, branch, files, pushed',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      commit: {type: 'string', minLength: 1, description: 'Commit message (a template, e.g. "{{steps.plan.outputs.summary}}"); without it, nothing is committed'},
      add: {type: 'array', items: {type: 'string', minLength: 1}, description: 'Paths to stage, relative to the working directory [default: everything changed; .env files never]'},
      push: {type: 'boolean', description: 'Push the current branch to the remote (sets its upstream) [default: false]'},
      remote: {type: 'string', minLength: 1, description: 'Remote to push to [default: origin]'},
      requireChanges: {type: 'boolean', description: 'Fail when there is nothing to commit [default: false: the step succeeds with committed false]'},
    },
  },
  outputs: {
    committed: {type: 'bool', description: 'Whether a commit was made'},
    sha: {type: 'string', description: 'The commit HEAD is at afterwards'},
    branch: {type: 'string', description: 'The current branch'},
    files: {type: 'list', description: 'The files the commit changed'},
    pushed: {type: 'bool', description: 'Whether the branch was pushed'},
    remote: {type: 'string', description: 'The remote pushed to (or that would be)'},
  },
  async run(options, ctx) {
    if (options.commit === undefined && !options.push) throw new Error('a git step needs commit: "<message>", push: true, or both')
    const {firstLines, git, tryGit} = await import('../worktrees/git.js')
    const g: GitOptions = {env: ctx.env, signal: ctx.signal}
    const branch = await git(ctx.workingDir, ['rev-parse', '--abbrev-ref', 'HEAD'], g).catch(error => {
      throw new Error(`the working directory ${ctx.workingDir} is not a git repository with a commit (${(error as Error).message}); run the pipeline with --worktree, or in a git checkout`)
    })
    const remote = options.remote ?? 'origin'
    let files: string[] = []
    if (options.commit !== undefined) files = await commit(options, options.commit, ctx, g)
    const sha = await git(ctx.workingDir, ['rev-parse', 'HEAD'], g)
    let pushed = false
    if (options.push) {
      if (branch === 'HEAD') throw new Error('cannot push: the working directory is not on a branch (detached HEAD)')
      ctx.progress(`pushing ${branch} to ${remote}`)
      const r = await tryGit(ctx.workingDir, ['push', '--porcelain', '--set-upstream', '--end-of-options', remote, `HEAD:refs/heads/${branch}`], g)
      if (r.exitCode !== 0) throw new Error(`git push of ${branch} to ${remote} failed: ${firstLines(r.stderr || r.stdout, 4)}`)
      ctx.log('INFO', 'output', `Pushed ${branch} to ${remote} (${sha.slice(0, 7)})`, {branch, remote, sha})
      pushed = true
    }
    const committed = files.length > 0
    const summary = [committed ? `committed ${sha.slice(0, 7)} (${files.length} file${files.length === 1 ? '' : 's'})` : options.commit !== undefined ? 'nothing to commit' : '', pushed ? `pushed ${branch} to ${remote}` : ''].filter(Boolean).join(', ')
    return {outputs: {committed, sha, branch, files, pushed, remote}, summary}
  },
}

/** Stages, then commits if anything is staged; returns the files committed (none: nothing to commit). */
async function commit(options: GitStepOptions, message: string, ctx: ExecutorContext, g: GitOptions): Promise<string[]> {
  const {firstLines, git, tryGit} = await import('../worktrees/git.js')
  const paths = options.add?.length ? options.add : ['.']
  const add = await tryGit(ctx.workingDir, ['add', '--all', '--', ...paths, ...NEVER_STAGED], g)
  if (add.exitCode !== 0) throw new Error(`git add failed: ${firstLines(add.stderr)}`)
  const staged = (await git(ctx.workingDir, ['diff', '--cached', '--name-only', '-z'], g)).split('\0').filter(Boolean)
  if (staged.length === 0) {
    if (options.requireChanges) throw new Error('nothing to commit: the run changed no file (requireChanges: true)')
    ctx.log('INFO', 'output', 'Nothing to commit: the working tree is clean')
    return []
  }
  ctx.progress(`committing ${staged.length} file${staged.length === 1 ? '' : 's'}`)
  // A repository without an identity (a fresh CI box) still gets a commit, signed as adw.
  const identity = (await tryGit(ctx.workingDir, ['config', 'user.email'], g)).stdout ? [] : ['-c', 'user.name=adw', '-c', 'user.email=adw@localhost']
  const r = await tryGit(ctx.workingDir, [...identity, 'commit', '--quiet', '-m', message], g)
  if (r.exitCode !== 0) throw new Error(`git commit failed: ${firstLines(r.stderr || r.stdout, 4)}`)
  ctx.log('INFO', 'output', `Committed ${staged.length} file(s): ${message.split('\n')[0]}`, {files: staged})
  return staged
}
