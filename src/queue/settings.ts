/**
 * Where the run queue lives and how fast its leases move. The queue is always PostgreSQL (pg-boss
 * tables in their own schema), whatever the store is: ADW_QUEUE_URL, else the store's own URL when
 * the store is PostgreSQL. Timings come from the environment so tests and small set-ups can shorten
 * them; the defaults suit production (a lease lost after 30 s without a heartbeat).
 */
import {AdwError} from '../errors.js'

/** Queue names: what pg-boss accepts and a shell never needs to quote. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

export const DEFAULT_QUEUE = 'default'

export interface QueueSettings {
  /** postgres:// URL of the queue's database (holds a password: never print it, see maskUrl). */
  url: string
  /** The Postgres schema of pg-boss's tables and adw's worker table. @default adw_queue */
  schema: string
  /** A job whose worker sent no heartbeat for this long is failed and retried by another worker (pg-boss: at least 10). */
  heartbeatSeconds: number
  /** How often the worker's pg-boss supervisor looks for lost leases. */
  superviseSeconds: number
  /** How often an idle worker polls for a job (pg-boss: at least 0.5). */
  pollSeconds: number
  /** How often a worker refreshes its row in `adw queue` (last seen). */
  presenceSeconds: number
}

type Env = Record<string, string | undefined>

/** The queue's URL: ADW_QUEUE_URL, else the store's when it is PostgreSQL; none → exit 2 saying how to set one. */
export function queueUrl(env: Env, storeLocation?: string): string {
  const given = env.ADW_QUEUE_URL?.trim()
  if (given) {
    if (!isPostgresUrl(given)) throw new AdwError('CONFIG_INVALID', `ADW_QUEUE_URL must be a postgres:// or postgresql:// URL; got "${maskUrl(given)}"`, {suggestions: ['ADW_QUEUE_URL=postgres://user@host:5432/db']})
    return given
  }
  const fromStore = env.DATABASE_URL?.trim() || storeLocation
  if (fromStore && isPostgresUrl(fromStore)) return fromStore
  throw new AdwError('CONFIG_INVALID', 'The run queue lives in PostgreSQL, and no PostgreSQL URL is set: neither ADW_QUEUE_URL nor a postgres:// store (DATABASE_URL, --db)', {
    suggestions: ['export ADW_QUEUE_URL=postgres://user@host:5432/db  (the queue; the store may stay SQLite)', 'or put ADW_QUEUE_URL under env: in adw.config.yaml'],
  })
}

export function queueSettings(env: Env, storeLocation?: string): QueueSettings {
  const schema = env.ADW_QUEUE_SCHEMA?.trim() || 'adw_queue'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new AdwError('CONFIG_INVALID', `ADW_QUEUE_SCHEMA must be a lower-case SQL name (letters, digits, _); got "${schema}"`)
  return {
    url: queueUrl(env, storeLocation),
    schema,
    heartbeatSeconds: seconds(env, 'ADW_QUEUE_HEARTBEAT_SECONDS', 30, 10),
    superviseSeconds: seconds(env, 'ADW_QUEUE_SUPERVISE_SECONDS', 10, 1),
    pollSeconds: seconds(env, 'ADW_QUEUE_POLL_SECONDS', 2, 0.5),
    presenceSeconds: seconds(env, 'ADW_WORKER_PRESENCE_SECONDS', 5, 0.2),
  }
}

function seconds(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min) throw new AdwError('CONFIG_INVALID', `${name} must be a number of seconds, at least ${min}; got "${raw}"`)
  return n
}

/** A queue name from `--queue`: exit 2 for one pg-boss would refuse or a shell would need quoting. */
export function checkQueueName(name: string, flag = '--queue'): string {
  if (!QUEUE_NAME.test(name)) {
    throw new AdwError('USAGE', `${flag} "${name}" is not a queue name: letters, digits, '.', '_' and '-', starting with a letter or digit (at most 63)`, {suggestions: [`${flag}=default`, `${flag}=gpu`]})
  }
  return name
}

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s)
}

/** The URL with its password replaced by *** (what a user may see). */
export function maskUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}
