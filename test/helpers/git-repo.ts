/**
 * A real git repository in a temp dir, with a local bare repository as its `origin` (pushes go
 * there; no network): `<tmp>/repo` on branch main with one commit, `<tmp>/origin.git`.
 */
import {execaSync} from 'execa'
import {join} from 'node:path'
import {tmpDir, writeFiles} from './cli.js'

export interface TestRepo {
  /** The temp dir holding both. */
  root: string
  /** The checkout (work tree of main). */
  dir: string
  /** The bare remote, `origin`. */
  remote: string
  /** `git <args>` in the checkout (or `cwd`); returns stdout, throws on failure. */
  git(args: string[], cwd?: string): string
}

/** `git` with no inherited GIT_DIR and a fixed identity, so the test's environment cannot change what it does. */
export function gitSync(cwd: string, args: string[]): string {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GIT_')) env[k] = v
  return String(execaSync('git', args, {cwd, env: {...env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com'}, extendEnv: false}).stdout).trim()
}

/** A repository whose first commit holds `tracked`; `untracked` files are written but not committed (a `.env`, say). */
export function testRepo(tracked: Record<string, string> = {'README.md': '# app\n'}, untracked: Record<string, string> = {}): TestRepo {
  const root = tmpDir({}, 'adw-git-')
  const dir = join(root, 'repo')
  const remote = join(root, 'origin.git')
  gitSync(root, ['init', '--quiet', '--bare', '-b', 'main', remote])
  gitSync(root, ['init', '--quiet', '-b', 'main', dir])
  gitSync(dir, ['config', 'user.name', 'Test'])
  gitSync(dir, ['config', 'user.email', 'test@example.com'])
  writeFiles(dir, tracked)
  gitSync(dir, ['add', '-A'])
  gitSync(dir, ['commit', '--quiet', '-m', 'initial'])
  gitSync(dir, ['remote', 'add', 'origin', remote])
  gitSync(dir, ['push', '--quiet', '-u', 'origin', 'main'])
  writeFiles(dir, untracked)
  return {root, dir, remote, git: (args, cwd = dir) => gitSync(cwd, args)}
}
