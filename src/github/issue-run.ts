/**
 * `adw run <pipeline> --issue <number|url>`: the issue becomes the run's prompt (its title and body)
 * and its `issue` input ({number, title, body, url, repo, labels}); with `github: {comments: true}`
 * in adw.config.yaml the run comments on the issue when it starts and when it ends.
 */
import {AdwError} from '../errors.js'
import {githubAccess, octokit, type GitHubAccess} from './client.js'
import {commentOn, fetchIssue, type IssueData} from './pulls.js'
import {parseSlug, resolveRepo, type RepoRef} from './repo.js'

/** `12`, `#12`, `owner/name#12`, or an issue / pull request URL. */
export function parseIssueRef(text: string): {ref?: RepoRef; number: number} | undefined {
  const t = text.trim()
  const plain = /^#?(\d+)$/.exec(t)
  if (plain) return {number: Number(plain[1])}
  const slug = /^([^#\s]+)#(\d+)$/.exec(t)
  if (slug && parseSlug(slug[1])) return {ref: parseSlug(slug[1]), number: Number(slug[2])}
  const url = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/(?:issues|pull)\/(\d+)\/?(?:[?#].*)?$/.exec(t)
  if (url) return {ref: {owner: url[1], repo: url[2]}, number: Number(url[3])}
  return undefined
}

/** Reads the issue; any failure is exit 2 before the run starts, saying what GitHub answered. */
export async function loadIssue(text: string, opts: {env: Readonly<Record<string, string | undefined>>; workingDir: string}): Promise<IssueData> {
  const parsed = parseIssueRef(text)
  if (!parsed || parsed.number <= 0) {
    throw new AdwError('USAGE', `--issue "${text}" is not an issue: give its number (12), owner/name#12, or its URL (https://github.com/owner/name/issues/12)`)
  }
  const access = githubAccess(opts.env)
  try {
    const ref = parsed.ref ?? (await resolveRepo({env: opts.env, workingDir: opts.workingDir}))
    return await fetchIssue(await octokit(access), ref, parsed.number, access)
  } catch (error) {
    throw new AdwError('USAGE', `Cannot read --issue ${text}: ${(error as Error).message}`, {
      suggestions: [access.token ? 'check the issue number and the repository' : 'set GITHUB_TOKEN or GH_TOKEN (a private repository needs one)'],
      cause: error,
    })
  }
}

/** The prompt an issue gives a pipeline: its title, then its body. */
export function issuePrompt(issue: IssueData): string {
  return `${issue.title}\n\n${issue.body}`.trim() + `\n\n(GitHub issue #${issue.number}: ${issue.url})`
}

/** Progress comments on the run's issue; a failure to comment is a warning, never the run's failure. */
export function issueComments(issue: IssueData, env: Readonly<Record<string, string | undefined>>, warn: (line: string) => void): {post(body: string): Promise<void>} {
  const access: GitHubAccess = githubAccess(env)
  const [owner, repo] = issue.repo.split('/')
  return {
    async post(body) {
      try {
        await commentOn(await octokit(access), {owner, repo}, issue.number, body, access)
      } catch (error) {
        warn(`Warning: could not comment on issue #${issue.number}: ${(error as Error).message}`)
      }
    },
  }
}

/**
 * The issue for `adw run --issue`: read from GitHub, and its title and body put in `given.prompt`
 * when the pipeline has a `prompt` input that `--prompt` did not fill. The caller sets the `issue`
 * input to the returned object when the pipeline declares one.
 */
export async function issueForRun(text: string, pipeline: {name: string; inputs: Record<string, unknown>}, given: Record<string, string>, opts: {env: Readonly<Record<string, string | undefined>>; workingDir: string}): Promise<IssueData> {
  if (!('prompt' in pipeline.inputs) && !('issue' in pipeline.inputs)) {
    throw new AdwError('USAGE', `--issue fills the inputs prompt and issue, and pipeline "${pipeline.name}" declares neither`, {suggestions: ['declare prompt: {type: string} (and issue: {type: string} for {{inputs.issue.title}} and the rest)', 'adw run plan-build-review-fix-pr --issue 12']})
  }
  const issue = await loadIssue(text, opts)
  if ('prompt' in pipeline.inputs && given.prompt === undefined) given.prompt = issuePrompt(issue)
  return issue
}

/** The comment of a finished run. */
export function finishedComment(adwId: string, outcome: {status: string; durationMs?: number; totals?: {costUsd?: number}; error?: string}): string {
  const secs = outcome.durationMs !== undefined ? ` in ${Math.round(outcome.durationMs / 1000)} s` : ''
  const cost = outcome.totals?.costUsd !== undefined ? `, cost $${outcome.totals.costUsd.toFixed(4)}` : ''
  const why = outcome.status !== 'succeeded' && outcome.error ? `\n\n> ${outcome.error.split('\n')[0].slice(0, 300)}` : ''
  return `adw run \`${adwId}\` ${outcome.status}${secs}${cost}.${why}`
}
