/**
 * A fake GitHub REST API on 127.0.0.1 (a real HTTP server on a random port), standing for
 * api.github.com: adw reaches it through GITHUB_API_URL with the real Octokit. It knows one
 * repository, its open pull requests and issues, checks the token like GitHub (401 "Bad
 * credentials"), answers 404 for any other repository, and 422 like GitHub when a pull request's
 * head branch is not on the remote (`headExists`) or one is already open for it. Every request is
 * recorded (method, path, query, headers, parsed body).
 */
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  headers: IncomingMessage['headers']
  body: any
}

export interface FakePull {
  number: number
  title: string
  body: string
  head: string
  base: string
  draft: boolean
  state: 'open' | 'closed'
}

export interface FakeGitHubOptions {
  /** The one repository it serves, `owner/name`. @default acme/app */
  repo?: string
  /** The token every request must carry. @default ghp_fake_token_0123456789 */
  token?: string
  /** Whether a branch exists on the remote (a PR of an unpushed branch is a 422). @default every branch exists */
  headExists?: (branch: string) => boolean
  issues?: Record<number, {title: string; body: string; labels?: string[]}>
}

export interface FakeGitHub {
  url: string
  token: string
  requests: RecordedRequest[]
  pulls: FakePull[]
  comments: Array<{issue: number; body: string}>
  /** The next request (any) is answered with this status and body instead. */
  failNext(status: number, body: unknown): void
  close(): Promise<void>
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const repo = opts.repo ?? 'acme/app'
  const token = opts.token ?? 'ghp_fake_token_0123456789'
  const requests: RecordedRequest[] = []
  const pulls: FakePull[] = []
  const comments: Array<{issue: number; body: string}> = []
  let failure: {status: number; body: unknown} | undefined
  let url = ''
  const pullJson = (p: FakePull) => ({number: p.number, title: p.title, body: p.body, state: p.state, draft: p.draft, html_url: `https://github.example/${repo}/pull/${p.number}`, head: {ref: p.head, label: `${repo.split('/')[0]}:${p.head}`}, base: {ref: p.base}})

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const u = new URL(req.url ?? '/', 'http://x')
    const body = text ? JSON.parse(text) : undefined
    requests.push({method: req.method ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, body})
    const send = (status: number, data: unknown) => {
      res.writeHead(status, {'content-type': 'application/json; charset=utf-8'})
      res.end(JSON.stringify(data))
    }
    if (failure) {
      const f = failure
      failure = undefined
      return send(f.status, f.body)
    }
    const auth = req.headers.authorization ?? ''
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) return send(401, {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest'})
    const m = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(u.pathname)
    if (!m || m[1] !== repo) return send(404, {message: 'Not Found'})
    const rest = m[2] ?? ''
    const method = req.method
    if (method === 'GET' && rest === '') return send(200, {full_name: repo, default_branch: 'main'})
    if (method === 'GET' && rest === '/pulls') {
      const head = u.searchParams.get('head')?.split(':').pop()
      return send(200, pulls.filter(p => p.state === (u.searchParams.get('state') ?? 'open') && (!head || p.head === head)).map(pullJson))
    }
    if (method === 'POST' && rest === '/pulls') {
      if (opts.headExists && !opts.headExists(body.head)) return send(422, {message: 'Validation Failed', errors: [{resource: 'PullRequest', field: 'head', code: 'invalid'}]})
      if (pulls.some(p => p.state === 'open' && p.head === body.head)) return send(422, {message: 'Validation Failed', errors: [{resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.split('/')[0]}:${body.head}.`}]})
      const p: FakePull = {number: pulls.length + 1, title: body.title, body: body.body ?? '', head: body.head, base: body.base, draft: body.draft ?? false, state: 'open'}
      pulls.push(p)
      return send(201, pullJson(p))
    }
    const pr = /^\/pulls\/(\d+)$/.exec(rest)
    if (method === 'PATCH' && pr) {
      const p = pulls.find(x => x.number === Number(pr[1]))
      if (!p) return send(404, {message: 'Not Found'})
      Object.assign(p, {...(body.title !== undefined ? {title: body.title} : {}), ...(body.body !== undefined ? {body: body.body} : {}), ...(body.base ? {base: body.base} : {})})
      return send(200, pullJson(p))
    }
    const issue = /^\/issues\/(\d+)(\/comments)?$/.exec(rest)
    if (issue) {
      const n = Number(issue[1])
      const known = opts.issues?.[n]
      if (!known && !pulls.some(p => p.number === n)) return send(404, {message: 'Not Found'})
      if (method === 'GET' && !issue[2] && known) return send(200, {number: n, title: known.title, body: known.body, html_url: `https://github.example/${repo}/issues/${n}`, labels: (known.labels ?? []).map(name => ({name}))})
      if (method === 'POST' && issue[2]) {
        comments.push({issue: n, body: body.body})
        return send(201, {id: 1000 + comments.length, body: body.body, html_url: `https://github.example/${repo}/issues/${n}#issuecomment-${1000 + comments.length}`})
      }
    }
    send(404, {message: 'Not Found'})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    token,
    requests,
    pulls,
    comments,
    failNext: (status, body) => {
      failure = {status, body}
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  }
}
