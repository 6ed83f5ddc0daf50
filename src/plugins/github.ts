import type {StepExecutor} from './types.js'

/** The refusal when no token is set (preflight, exit 2). */
const NO_TOKEN = 'uses: github needs a GitHub token in GITHUB_TOKEN or GH_TOKEN (your shell or adw.config.yaml env:): a fine-grained token with "Pull requests: write" and "Contents: read" (plus "Issues: write" for comments) on the repository, or a classic token with the repo scope'

export interface GitHubStepOptions {
  /** Open (or update) the pull request of the current branch. */
  pullRequest?: {title: string; body?: string; draft?: boolean; base?: string}
  /** Comment on an issue or pull request. */
  comment?: {issue: number | string; body: string}
  /** `owner/name` [default: GITHUB_REPOSITORY, else the `origin` remote's URL]. */
  repo?: string
}

/** Pull requests and comments through the GitHub REST API (Octokit); token GITHUB_TOKEN or GH_TOKEN, API base GITHUB_API_URL. */
export const github: StepExecutor<GitHubStepOptions> = {
  name: 'github',
  description: 'Opens or updates the pull request of the current branch, or comments on an issue, through the GitHub API (GITHUB_TOKEN or GH_TOKEN; GITHUB_API_URL for GitHub Enterprise); outputs number, url, created',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pullRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        description: 'Open the pull request of the current branch (pushed first, e.g. by a git step), or update its open one',
        properties: {
          title: {type: 'string', minLength: 1, description: 'Title (a template)'},
          body: {type: 'string', description: 'Body, Markdown (a template)'},
          draft: {type: 'boolean', description: 'Open it as a draft [default: false]'},
          base: {type: 'string', minLength: 1, description: "Branch to merge into [default: the repository's default branch]"},
        },
      },
      comment: {
        type: 'object',
        additionalProperties: false,
        required: ['issue', 'body'],
        description: 'Comment on an issue or pull request',
        properties: {
          issue: {type: ['integer', 'string'], description: 'Its number (e.g. "{{inputs.issue.number}}")'},
          body: {type: 'string', minLength: 1, description: 'The comment, Markdown (a template)'},
        },
      },
      repo: {type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$', description: 'owner/name [default: GITHUB_REPOSITORY, else the origin remote]'},
    },
  },
  outputs: {
    number: {type: 'int', description: 'The pull request (or commented issue) number'},
    url: {type: 'string', description: "The pull request's (or comment's) web address"},
    created: {type: 'bool', description: 'false when an open pull request of the branch existed and was updated'},
  },
  preflight: ({env}) => (env.GITHUB_TOKEN || env.GH_TOKEN ? undefined : NO_TOKEN),
  async run(options, ctx) {
    if (!options.pullRequest === !options.comment) throw new Error('a github step needs exactly one of pullRequest: {title, body} and comment: {issue, body}')
    // Loaded only when a github step runs: adw validate and every other command start without them.
    const [{githubAccess, octokit}, {commentOn, openPullRequest}, {resolveRepo}, {git}] = await Promise.all([import('../github/client.js'), import('../github/pulls.js'), import('../github/repo.js'), import('../worktrees/git.js')])
    const access = githubAccess(ctx.env)
    if (!access.token) throw new Error(NO_TOKEN)
    const ref = await resolveRepo({explicit: options.repo, env: ctx.env, workingDir: ctx.workingDir})
    const octo = await octokit(access, ctx.signal)
    if (options.comment) {
      const issue = Number(options.comment.issue)
      if (!Number.isInteger(issue) || issue <= 0) throw new Error(`comment.issue must be an issue number; got "${options.comment.issue}"`)
      ctx.progress(`commenting on #${issue}`)
      const c = await commentOn(octo, ref, issue, options.comment.body, access)
      ctx.log('INFO', 'output', `Commented on ${ref.owner}/${ref.repo}#${issue}: ${c.url}`, {issue, url: c.url, id: c.id})
      return {outputs: {number: issue, url: c.url, created: true}, summary: `commented on #${issue}`}
    }
    const pr = options.pullRequest!
    const head = await git(ctx.workingDir, ['rev-parse', '--abbrev-ref', 'HEAD'], {env: ctx.env, signal: ctx.signal})
    if (head === 'HEAD') throw new Error('cannot open a pull request: the working directory is not on a branch (detached HEAD)')
    ctx.progress(`pull request of ${head} on ${ref.owner}/${ref.repo}`)
    const r = await openPullRequest(octo, ref, {title: pr.title, body: pr.body ?? '', head, base: pr.base, draft: pr.draft}, access)
    ctx.log('INFO', 'output', `${r.created ? 'Opened' : 'Updated'} pull request #${r.number}: ${r.url}`, {...r, head, repo: `${ref.owner}/${ref.repo}`})
    return {outputs: {number: r.number, url: r.url, created: r.created}, summary: `${r.created ? 'opened' : 'updated'} PR #${r.number}`}
  },
}
