/**
 * Notifications: webhooks and commands told when a run succeeds, fails, is cancelled, waits for
 * approval, stops at its budget, or a step fails. Loaded only for a run whose config has `notify:`.
 */
import type {Subscriber} from '../engine/fanout.js'
import {envRedactor} from '../secrets/redactor.js'
import type {AttemptRecord} from './deliver.js'
import {deliver} from './deliver.js'
import {buildPayload, type RunFacts} from './payload.js'
import {resolveTargets, type NotifyTarget} from './resolve.js'
import {NOTIFY_EVENTS, type NotifyEvent, type NotifyTargetConfig} from './schema.js'
import {createNotifier} from './subscriber.js'

export {NOTIFY_EVENTS, type NotifyEvent, type NotifyTargetConfig} from './schema.js'
export type {NotifyPayload} from './payload.js'
export type {AttemptRecord} from './deliver.js'
export {resolveTargets, type NotifyTarget} from './resolve.js'
export {signature} from './webhook.js'

export interface RunNotifyOptions {
  targets: NotifyTarget[]
  uiUrl?: string
  version: string
  /** The run's environment: command targets get it; its secrets are masked in what they print. */
  env: Readonly<Record<string, string | undefined>>
  cwd?: string
  record(attempt: AttemptRecord): void
}

/** The run's notifier (a subscriber of its events). */
export function notifySubscriber(opts: RunNotifyOptions): Subscriber {
  const redactor = envRedactor(opts.env, [])
  return createNotifier({...opts, redact: t => redactor.text(t)})
}

/** What `adw notify test` did for one target. */
export interface TestResult {
  target: string
  kind: NotifyTarget['kind']
  ok: boolean
  attempts: AttemptRecord[]
}

/** `adw notify test`: a sample `event` to every target, whatever its `on:`. */
export async function sendTest(targets: NotifyTarget[], event: NotifyEvent, opts: {uiUrl?: string; version: string; env: Readonly<Record<string, string | undefined>>; cwd?: string; onAttempt?: (a: AttemptRecord) => void}): Promise<TestResult[]> {
  const payload = buildPayload(event, sampleRun(event), {uiUrl: opts.uiUrl, version: opts.version})
  const redactor = envRedactor(opts.env, [])
  return Promise.all(
    targets.map(async t => {
      const attempts: AttemptRecord[] = []
      const ok = await deliver(t, payload, a => {
        attempts.push(a)
        opts.onAttempt?.(a)
      }, {version: opts.version, env: opts.env, cwd: opts.cwd, redact: s => redactor.text(s)})
      return {target: t.name, kind: t.kind, ok, attempts}
    }),
  )
}

/** A made-up run for `adw notify test`, its id saying so. */
function sampleRun(event: NotifyEvent): RunFacts {
  const failing = event === 'run.failed' || event === 'step.failed'
  const status = {'run.succeeded': 'succeeded', 'run.failed': 'failed', 'run.cancelled': 'cancelled', 'run.waiting': 'waiting', 'budget.exceeded': 'budget_exceeded', 'step.failed': 'running'}[event]
  return {
    adwId: 'notify-test',
    pipeline: 'plan-build-review-fix',
    status,
    startedAt: new Date(Date.now() - 83_000).toISOString(),
    durationMs: 83_000,
    ...(failing ? {error: 'step build failed: a sample failure from adw notify test'} : {}),
    totals: {inputTokens: 12_400, outputTokens: 2100, cacheReadTokens: 8000, cacheCreationTokens: 1200, costUsd: 0.0815},
    ...(failing ? {step: {id: 'build', iteration: 0, error: 'a sample failure from adw notify test'}} : {}),
    ...(event === 'run.waiting' ? {approval: {step: 'approve_plan', message: 'A sample gate from adw notify test: build it?', commands: ['adw approve notify-test --comment "..."', 'adw reject notify-test --reason "..."']}} : {}),
    ...(event === 'budget.exceeded'
      ? {error: 'budget exceeded at step build: the run spent $0.0815 of its limit of $0.0800', budget: {kind: 'usd', spent: 0.0815, limit: 0.08}, step: {id: 'build', iteration: 0}}
      : {}),
  }
}

/** Every event name, for flags and messages. */
export const EVENT_NAMES: readonly string[] = NOTIFY_EVENTS

/** Targets of adw.config.yaml ready to send, or [] (throws AdwError exit 2 when a variable they use is not set). */
export function configTargets(config: {notify?: NotifyTargetConfig[]; trustedEnv: Record<string, string | undefined>; configFile?: string}): NotifyTarget[] {
  return config.notify?.length ? resolveTargets(config.notify, config.trustedEnv, config.configFile ?? 'adw.config.yaml') : []
}
