import {tryGit} from '../worktrees/git.js'

/** A GitHub repository, `owner/name`. */
export interface RepoRef {
  owner: string
  repo: string
}

const SLUG = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/

/** `owner/name` → RepoRef, or undefined. */
export function parseSlug(slug: string): RepoRef | undefined {
  const m = SLUG.exec(slug.trim())
  return m ? {owner: m[1], repo: m[2].replace(/\.git$/, '')} : undefined
}

/** owner/name from a remote URL: `git@host:o/r.git`, `ssh://git@host/o/r`, `https://host/o/r(.git)`; not a local path. */
export function repoFromRemoteUrl(url: string): RepoRef | undefined {
  const scp = /^[\w.-]+@[\w.-]+:([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url)
  if (scp) return parseSlug(scp[1])
  const web = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?[^/]+\/([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url)
  return web ? parseSlug(web[1]) : undefined
}

/**
 * Which repository a step or `--issue` means: `explicit` (`with: repo`), else GITHUB_REPOSITORY,
 * else the remote's URL in the working directory. Throws a message saying how to name it.
 */
export async function resolveRepo(opts: {explicit?: string; env: Readonly<Record<string, string | undefined>>; workingDir: string; remote?: string}): Promise<RepoRef> {
  if (opts.explicit) {
    const ref = parseSlug(opts.explicit)
    if (!ref) throw new Error(`repo "${opts.explicit}" is not owner/name`)
    return ref
  }
  if (opts.env.GITHUB_REPOSITORY) {
    const ref = parseSlug(opts.env.GITHUB_REPOSITORY)
    if (!ref) throw new Error(`GITHUB_REPOSITORY "${opts.env.GITHUB_REPOSITORY}" is not owner/name`)
    return ref
  }
  const remote = opts.remote ?? 'origin'
  const r = await tryGit(opts.workingDir, ['remote', 'get-url', '--', remote], {env: opts.env}).catch(() => undefined)
  const ref = r && r.exitCode === 0 ? repoFromRemoteUrl(r.stdout) : undefined
  if (ref) return ref
  throw new Error(`cannot tell which GitHub repository to use: ${r && r.exitCode === 0 ? `remote ${remote} (${r.stdout}) is not a GitHub URL` : `no remote ${remote} in ${opts.workingDir}`}; set repo: owner/name in the step's with:, or GITHUB_REPOSITORY=owner/name`)
}
