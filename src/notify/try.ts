/** `adw notify test`: a sample notification to every target of adw.config.yaml, each attempt printed. */
import {resolveConfig} from '../config.js'
import {adwVersion} from '../engine/observe.js'
import {AdwError} from '../errors.js'
import {configTargets, sendTest, type TestResult} from './index.js'
import type {NotifyEvent} from './events.js'

export interface NotifyTestOptions {
  cwd?: string
  event: NotifyEvent
  json?: boolean
  write(line: string): void
}

/** Resolves true when every target received it. */
export async function notifyTest(opts: NotifyTestOptions): Promise<boolean> {
  const cwd = opts.cwd ?? process.cwd()
  const config = await resolveConfig({cwd})
  const targets = configTargets(config)
  if (!targets.length) {
    throw new AdwError('USAGE', `No notify targets: ${config.configFile ?? 'adw.config.yaml (none found)'} has no notify: section`, {
      suggestions: ['add one, e.g.\nnotify:\n  - on: [run.failed]\n    webhook: {url: "${SLACK_WEBHOOK_URL}"}'],
    })
  }
  const results: TestResult[] = await sendTest(targets, opts.event, {
    uiUrl: config.uiUrl,
    version: adwVersion(),
    env: config.trustedEnv,
    cwd: config.projectRoot,
    onAttempt: a => {
      if (!opts.json) opts.write(`${a.ok ? '✔' : '✘'} ${a.message}`)
    },
  })
  if (opts.json) opts.write(JSON.stringify({event: opts.event, targets: results.map(r => ({target: r.target, kind: r.kind, ok: r.ok, attempts: r.attempts.map(a => a.details)}))}, null, 2))
  else {
    const failed = results.filter(r => !r.ok).length
    opts.write(failed ? `${failed} of ${results.length} target(s) did not receive the ${opts.event} sample` : `${results.length} target(s) received the ${opts.event} sample`)
  }
  return results.every(r => r.ok)
}
