import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {ResolvedConfig} from '../config.js'
import type {NotifyTarget} from '../notify/index.js'
import type {Pipeline} from '../pipeline/types.js'
import type {Store} from '../store/types.js'
import {startTelemetry, type TelemetrySettings} from '../telemetry/index.js'
import type {Subscriber} from './fanout.js'
import type {RunOptions} from './run.js'

/** What watches a run besides its terminal view: telemetry, notifications. */
export interface Observers {
  subscribers: Subscriber[]
  stepEnv?: RunOptions['stepEnv']
}

export interface ObserveOptions {
  adwId: string
  store: Store
  env: Readonly<Record<string, string | undefined>>
  /** From telemetrySettings(): undefined when telemetry is off (nothing of the SDK loads). */
  telemetry?: TelemetrySettings
  /** From notifyTargets(): the config's webhooks and commands, resolved. */
  notify?: NotifyTarget[]
  uiUrl?: string
  workingDir?: string
  /** Where warnings are printed (not with --json's stdout). */
  stderr?: NodeJS.WritableStream
}

/**
 * The config's notify targets with their variables filled in, loading src/notify only when there
 * are some. Called before the run starts: a variable that is not set is exit 2, nothing recorded.
 */
export async function notifyTargets(config: ResolvedConfig, pipeline?: Pipeline): Promise<NotifyTarget[] | undefined> {
  if (!config.notify?.length && !pipeline?.notify?.length) return undefined
  const {configTargets, resolveTargets} = await import('../notify/index.js')
  return [...configTargets(config), ...(pipeline?.notify?.length ? resolveTargets(pipeline.notify, config.trustedEnv, pipeline.file) : [])]
}

/** Builds the run's subscribers. Their warnings go to the run's log (agent_logs, `adw logs`) and stderr. */
export async function observe(opts: ObserveOptions): Promise<Observers> {
  const out: Observers = {subscribers: []}
  if (opts.telemetry) {
    const warn = warner(opts, 'telemetry')
    const t = await startTelemetry({settings: opts.telemetry, env: opts.env, version: adwVersion(), warn: m => warn(`${m} (send them later with: adw trace ${opts.adwId})`)})
    out.subscribers.push(t.subscriber)
    out.stepEnv = t.stepEnv
  }
  if (opts.notify?.length) {
    const {notifySubscriber} = await import('../notify/index.js')
    const {store, adwId} = opts
    out.subscribers.push(
      notifySubscriber({
        targets: opts.notify,
        uiUrl: opts.uiUrl,
        version: adwVersion(),
        env: opts.env,
        cwd: opts.workingDir,
        record: a => {
          try {
            store.log({adwId, agentName: 'notify', stepName: null, iteration: 0, level: a.ok ? 'INFO' : 'WARNING', type: 'state_change', message: a.message, details: a.details})
            store.flush().catch(() => {}) // the store closed already
          } catch {
            // the store closed already
          }
        },
      }),
    )
  }
  return out
}

/** A warning as a row of the run's log (agent `telemetry`, `notify`) and a line on stderr. */
export function warner(opts: Pick<ObserveOptions, 'adwId' | 'store' | 'stderr'>, agent: string): (message: string) => void {
  return message => {
    try {
      opts.store.log({adwId: opts.adwId, agentName: agent, stepName: null, iteration: 0, level: 'WARNING', type: 'state_change', message, details: undefined})
      opts.store.flush().catch(() => {}) // the store closed already
    } catch {
      // the store closed already (a very late answer): stderr still tells
    }
    opts.stderr?.write(`Warning: ${message}\n`)
  }
}

let version: string | undefined
/** adw's version (package.json two levels above this module, in src/ and dist/). */
export function adwVersion(): string {
  version ??= (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {version: string}).version
  return version
}
