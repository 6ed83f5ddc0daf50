/**
 * The GitHub REST API through Octokit (loaded on first use: no other command pays for it). The
 * token comes from GITHUB_TOKEN or GH_TOKEN, the API base from GITHUB_API_URL (GitHub Enterprise:
 * https://<host>/api/v3). Both come from the run's environment, where a working directory's `.env`
 * cannot point a key from your shell at its own host (secrets/sources.ts: GH and GITHUB are one service).
 */
import type {Octokit} from '@octokit/rest'

export const DEFAULT_API_URL = 'https://api.github.com'

/** What a GitHub call needs from the environment. */
export interface GitHubAccess {
  token?: string
  /** Which variable the token came from, for messages. */
  tokenVar?: string
  baseUrl: string
}

/** The token and API base of an environment (the run's env, or process.env for `--issue`). */
export function githubAccess(env: Readonly<Record<string, string | undefined>>): GitHubAccess {
  const tokenVar = env.GITHUB_TOKEN ? 'GITHUB_TOKEN' : env.GH_TOKEN ? 'GH_TOKEN' : undefined
  return {token: tokenVar ? env[tokenVar] : undefined, tokenVar, baseUrl: (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '')}
}

/** An Octokit client for `access`; its own logging is silenced (adw logs what matters). */
export async function octokit(access: GitHubAccess, signal?: AbortSignal): Promise<Octokit> {
  const {Octokit} = await import('@octokit/rest')
  const quiet = () => {}
  return new Octokit({
    auth: access.token,
    baseUrl: access.baseUrl,
    userAgent: 'adw',
    log: {debug: quiet, info: quiet, warn: quiet, error: quiet},
    request: signal ? {signal} : {},
  })
}

/**
 * A GitHub failure as a sentence a user can act on: what was refused, why it usually is, what to
 * check. `what` names the request ("creating the pull request on acme/app").
 */
export function githubError(error: unknown, what: string, access: GitHubAccess): Error {
  const e = error as {status?: number; message?: string; response?: {data?: {message?: string; errors?: Array<{message?: string; code?: string; field?: string}>}}; name?: string}
  if (e?.name === 'AbortError') return error as Error
  const detail = [e.response?.data?.message, ...(e.response?.data?.errors ?? []).map(x => x.message ?? [x.field, x.code].filter(Boolean).join(' '))].filter(Boolean).join('; ')
  const token = access.tokenVar ?? 'GITHUB_TOKEN / GH_TOKEN'
  switch (e.status) {
    case 401:
      return new Error(`GitHub refused the token while ${what} (401 ${detail || 'Bad credentials'}): check ${token}: it may be mistyped, expired or revoked`, {cause: error})
    case 403:
      return new Error(`GitHub forbade ${what} (403 ${detail}): the token in ${token} lacks a permission (pull requests: write, contents: read, issues: write for comments), or a rate limit was hit`, {cause: error})
    case 404:
      return new Error(`GitHub answered 404 while ${what}: the repository or item does not exist, or the token in ${token} cannot see it (a fine-grained token must be granted this repository)`, {cause: error})
    case 422:
      return new Error(`GitHub refused ${what} (422 ${detail || 'Validation Failed'})`, {cause: error})
    case undefined:
      return new Error(`Cannot reach the GitHub API at ${access.baseUrl} while ${what}: ${e?.message ?? String(error)}`, {cause: error})
    default:
      return new Error(`GitHub answered ${e.status} while ${what}${detail ? `: ${detail}` : ''}`, {cause: error})
  }
}
