import type {Octokit} from '@octokit/rest'

import {githubError, type GitHubAccess} from './client.js'
import type {RepoRef} from './repo.js'

export interface PullRequestRequest {
  title: string
  body: string
  /** The branch with the changes (pushed already). */
  head: string
  /** The branch to merge into. @default the repository's default branch */
  base?: string
  draft?: boolean
}

export interface PullRequestResult {
  number: number
  url: string
  /** false: an open pull request for the branch existed and was updated instead. */
  created: boolean
}

/**
 * Opens the pull request of `head`, or updates the open one it already has (title, body; a new base
 * if given), so running a pipeline twice on one branch never makes two. A 422 "already exists" from a
 * concurrent creation falls back to the update.
 */
export async function openPullRequest(octo: Octokit, ref: RepoRef, req: PullRequestRequest, access: GitHubAccess): Promise<PullRequestResult> {
  const where = `${ref.owner}/${ref.repo}`
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (error) {
      throw githubError(error, `${what} on ${where}`, access)
    }
  }
  const findOpen = async () => (await call('looking for an open pull request of ' + req.head, () => octo.rest.pulls.list({...ref, head: `${ref.owner}:${req.head}`, state: 'open', per_page: 1}))).data[0]
  const update = async (number: number): Promise<PullRequestResult> => {
    const {data} = await call(`updating pull request #${number}`, () => octo.rest.pulls.update({...ref, pull_number: number, title: req.title, body: req.body, ...(req.base ? {base: req.base} : {})}))
    return {number: data.number, url: data.html_url, created: false}
  }
  const existing = await findOpen()
  if (existing) return update(existing.number)
  const base = req.base ?? (await call('reading the repository', () => octo.rest.repos.get({owner: ref.owner, repo: ref.repo}))).data.default_branch
  try {
    const {data} = await octo.rest.pulls.create({...ref, title: req.title, body: req.body, head: req.head, base, draft: req.draft ?? false})
    return {number: data.number, url: data.html_url, created: true}
  } catch (error) {
    const raced = (error as {status?: number}).status === 422 && /already exists/i.test(JSON.stringify((error as {response?: {data?: unknown}}).response?.data ?? ''))
    const again = raced ? await findOpen() : undefined
    if (again) return update(again.number)
    throw githubError(error, `creating the pull request of ${req.head} into ${base} on ${where}`, access)
  }
}

/** Adds a comment to an issue or pull request; returns its id and URL. */
export async function commentOn(octo: Octokit, ref: RepoRef, issue: number, body: string, access: GitHubAccess): Promise<{id: number; url: string}> {
  try {
    const {data} = await octo.rest.issues.createComment({...ref, issue_number: issue, body})
    return {id: data.id, url: data.html_url}
  } catch (error) {
    throw githubError(error, `commenting on #${issue} of ${ref.owner}/${ref.repo}`, access)
  }
}

/** An issue, for `adw run --issue`. */
export interface IssueData {
  number: number
  title: string
  body: string
  url: string
  repo: string
  labels: string[]
}

export async function fetchIssue(octo: Octokit, ref: RepoRef, number: number, access: GitHubAccess): Promise<IssueData> {
  try {
    const {data} = await octo.rest.issues.get({...ref, issue_number: number})
    const labels = (data.labels ?? []).map(l => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean)
    return {number: data.number, title: data.title, body: data.body ?? '', url: data.html_url, repo: `${ref.owner}/${ref.repo}`, labels}
  } catch (error) {
    throw githubError(error, `reading issue #${number} of ${ref.owner}/${ref.repo}`, access)
  }
}
