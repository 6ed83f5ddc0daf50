/** The checks of `notify:` targets that a JSON Schema cannot say (shared by adw.config.yaml and pipelines). */
import type {NotifyTargetConfig} from './schema.js'

/** A problem at a path inside `notify`, e.g. [0, 'webhook', 'url']. */
export type Problem = {path: Array<string | number>; message: string}

/** What the schema cannot say: a webhook or a command (one of them); secret or secretEnv. */
export function crossChecks(value: unknown): Problem[] {
  const problems: Problem[] = []
  if (Array.isArray(value)) {
    value.forEach((t, i) => {
      if (!t || typeof t !== 'object') return
      const target = t as NotifyTargetConfig
      if (!!target.webhook === !!target.command) problems.push({path: [i], message: `${label([i])} needs either webhook: {url: ...} or command: "..." (one of them)`})
      if (target.webhook?.secret && target.webhook.secretEnv) problems.push({path: [i, 'webhook', 'secretEnv'], message: `${label([i, 'webhook'])}: give secret or secretEnv, not both`})
    })
  }
  return problems
}

/** `notify[0].webhook.url` */
export function label(path: Array<string | number>): string {
  return `notify${path.map(p => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`
}

