/**
 * Price table of the Anthropic models, in USD per million tokens.
 *
 * Source: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing"), read 2026-11-25.
 * Cache writes are the 5-minute rate (the agent only uses 5-minute `ephemeral` breakpoints).
 * Haiku 5.5 is listed at its ≤100k-token-prompt band. Update this table, and only this table,
 * when prices change. It is adw's one source of prices: the agent executor prices each API call
 * with it, budgets price what executors report with it, and a project extends or overrides it with
 * `prices:` in adw.config.yaml (see withConfigPrices).
 */
/** USD per million tokens. */
export interface ModelPrice {
  input: number
  output: number
  cacheWrite: number
  cacheRead: number
}

const p = (input: number, output: number, cacheWrite: number, cacheRead: number): ModelPrice => ({input, output, cacheWrite, cacheRead})

/** Keyed by model id; dated ids (`claude-sonnet-4-5-20250929`) match their alias by prefix. */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-2': p(10, 50, 12.5, 0.25),
  'claude-mythos-5-2': p(10, 50, 12.5, 0.25),
  'claude-fable-5-1': p(10, 50, 12.5, 0.25),
  'claude-mythos-5-1': p(10, 50, 12.5, 0.25),
  'claude-fable-5': p(10, 50, 12.5, 1),
  'claude-mythos-5': p(10, 50, 12.5, 1),
  'claude-opus-5-5': p(4, 20, 5, 0.2),
  'claude-opus-5': p(5, 25, 6.25, 0.5),
  'claude-opus-4-8': p(5, 25, 6.25, 0.5),
  'claude-opus-4-7': p(5, 25, 6.25, 0.5),
  'claude-opus-4-6': p(5, 25, 6.25, 0.5),
  'claude-opus-4-5': p(5, 25, 6.25, 0.5),
  'claude-opus-4-1': p(15, 75, 18.75, 1.5),
  'claude-opus-4': p(15, 75, 18.75, 1.5),
  'claude-sonnet-5-5': p(2, 10, 2.5, 0.1),
  'claude-sonnet-5': p(2, 10, 2.5, 0.2),
  'claude-sonnet-4-6': p(3, 15, 3.75, 0.3),
  'claude-sonnet-4-5': p(3, 15, 3.75, 0.3),
  'claude-sonnet-4': p(3, 15, 3.75, 0.3),
  'claude-haiku-5-5': p(0.1, 0.5, 0.125, 0.01),
  'claude-haiku-4-5': p(1, 5, 1.25, 0.1),
  'claude-3-5-haiku': p(0.8, 4, 1, 0.08),
}

/**
 * The price of `model`: an exact id first, then the longest table key it starts with
 * (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`). `undefined` when unknown.
 */
export function priceOf(model: string, table: Readonly<Record<string, ModelPrice>> = PRICES): ModelPrice | undefined {
  if (table[model]) return table[model]
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (model.startsWith(key + '-') && (!best || key.length > best.length)) best = key
  }
  return best ? table[best] : undefined
}

/** Token counts of one API call, as the Messages API reports them. */
export interface CallTokens {
  inputTokens: number
  outputTokens: number
  cacheCreationTokens: number
  cacheReadTokens: number
}

/** USD cost of one call; `undefined` when the model has no price. */
export function costOf(model: string, t: CallTokens, table?: Readonly<Record<string, ModelPrice>>): number | undefined {
  const price = priceOf(model, table)
  if (!price) return undefined
  const usd =
    (t.inputTokens * price.input + t.outputTokens * price.output + t.cacheCreationTokens * price.cacheWrite + t.cacheReadTokens * price.cacheRead) /
    1_000_000
  return Math.round(usd * 1e8) / 1e8
}

/** A price table: model id (or alias prefix) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>

/** `prices:` of adw.config.yaml as written (snake_case, USD per million tokens). */
export interface ConfigPrice {
  input: number
  output: number
  cache_write?: number
  cache_read?: number
}

/**
 * The built-in table with the config's `prices:` over it. A config price without cache rates gets
 * the usual ratios of the input price (writes 1.25×, reads 0.1×), as Anthropic prices every model.
 */
export function withConfigPrices(config: Readonly<Record<string, ConfigPrice>> | undefined, base: PriceTable = PRICES): PriceTable {
  if (!config || Object.keys(config).length === 0) return base
  const extra = Object.fromEntries(
    Object.entries(config).map(([model, c]) => [model, p(c.input, c.output, c.cache_write ?? c.input * 1.25, c.cache_read ?? c.input * 0.1)]),
  )
  return {...base, ...extra}
}
