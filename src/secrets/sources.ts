import {isSecretName, nameWords} from './names.js'

/**
 * Which configuration source may set what. The process environment and `adw.config.yaml` (in the
 * directory adw is started from) are the user's own: they may set anything. The working
 * directory's `.env` may come with a cloned repository, so it may not choose binaries, load code,
 * or change where requests and their keys go (README § Security, "Trusted configuration").
 */

/** Names a `.env` may never set, each with the reason given to the user. */
const NEVER_FROM_DOTENV: Array<[RegExp, string]> = [
  [/^(PATH|HOME|SHELL|ENV|BASH_ENV|IFS|PS4|PROMPT_COMMAND|EDITOR|VISUAL|PAGER|BROWSER)$/, 'it chooses which programs run'],
  [/^(NODE_OPTIONS|NODE_PATH|LD_.+|DYLD_.+|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5LIB|PERL5OPT|RUBYOPT|RUBYLIB|GIT_.+|XDG_.+)$/, 'it makes programs load code or configuration'],
  [/^(ADW_.+|CLAUDE_.+)$/, "it is one of adw's or Claude Code's own switches (binaries, permission modes)"],
  [/(_BIN|_BINARY|_EXECUTABLE|_CMD|_COMMAND)$/, 'it chooses which programs run'],
  [/^OTEL_.+$/, 'it chooses where traces of the run are sent (OpenTelemetry)'],
  [/^(HTTPS?_PROXY|ALL_PROXY|NO_PROXY|NODE_TLS_REJECT_UNAUTHORIZED|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE)$/i, 'it changes where requests go or which servers are trusted'],
]

/** The last word of a variable that says where requests go: ANTHROPIC_BASE_URL, GH_HOST, AWS_ENDPOINT_URL. */
const ENDPOINT_WORDS = new Set(['URL', 'URI', 'HOST', 'HOSTNAME', 'ENDPOINT', 'SERVER', 'ADDR', 'ADDRESS', 'DOMAIN'])

/** A `.env` variable that was not used, and why. */
export interface IgnoredVariable {
  name: string
  /** The `.env` file it was in. */
  file: string
  why: string
}

export interface EnvSources {
  /** The process environment (trusted). */
  process: Record<string, string | undefined>
  /** `adw.config.yaml`'s `env:` section (trusted). */
  config: Record<string, string>
  /** The working directory's `.env` (not trusted). */
  dotenv: Record<string, string>
  dotenvFile: string
}

/**
 * The run's environment: process > `.env` > `adw.config.yaml` env, except that the `.env` cannot
 * set NEVER_FROM_DOTENV names, nor an endpoint (`X_BASE_URL`, `X_HOST`, ...) of a service whose
 * secret (`X_API_KEY`, `X_TOKEN`, ...) comes from a trusted source: its base URL is honoured only
 * from the same source as its key, so a `.env` cannot send the user's key to another host.
 */
export function mergeEnv(s: EnvSources): {env: Record<string, string | undefined>; ignored: IgnoredVariable[]} {
  const trusted = {...s.config, ...s.process}
  const trustedSecretFamilies = new Set(Object.keys(trusted).filter(n => trusted[n] && isSecretName(n)).map(family))
  const ignored: IgnoredVariable[] = []
  const allowed: Record<string, string> = {}
  for (const [name, value] of Object.entries(s.dotenv)) {
    const why = refusal(name, trustedSecretFamilies, trusted)
    if (why) ignored.push({name, file: s.dotenvFile, why})
    else allowed[name] = value
  }
  return {env: {...s.config, ...allowed, ...s.process}, ignored}
}

function refusal(name: string, families: Set<string>, trusted: Record<string, string | undefined>): string | undefined {
  for (const [re, why] of NEVER_FROM_DOTENV) if (re.test(name)) return why
  const words = nameWords(name)
  if (ENDPOINT_WORDS.has(words.at(-1) ?? '') && families.has(family(name))) {
    const keys = Object.keys(trusted).filter(n => trusted[n] && isSecretName(n) && family(n) === family(name))
    return `it would send ${keys.join(', ')} (set outside this .env) to another host; a base URL is honoured only from the same source as its key`
  }
  return undefined
}

/** First words that name one service: GitHub's CLI says GH_TOKEN, its Actions say GITHUB_TOKEN and GITHUB_API_URL. */
const SAME_SERVICE: Record<string, string> = {GH: 'GITHUB'}

/** The service a variable belongs to: its first word (ANTHROPIC of ANTHROPIC_API_KEY, GITHUB of GH_HOST and GITHUB_API_URL). */
const family = (name: string) => {
  const first = nameWords(name)[0] ?? name
  return SAME_SERVICE[first] ?? first
}

/** One line for stderr and the run's log. */
export function describeIgnored(v: IgnoredVariable): string {
  return `Ignored ${v.name} from ${v.file}: ${v.why}. Set it in your shell or in adw.config.yaml (env:) if you mean it.`
}
