import type {Usage} from '../plugins/types.js'

export type Totals = Required<Omit<Usage, 'model'>>

export const zeroTotals = (): Totals => ({inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0})

/** Adds `u` into `into` (in place) and returns it. */
export function addUsage(into: Totals, u: Usage | undefined): Totals {
  if (!u) return into
  into.inputTokens += u.inputTokens ?? 0
  into.outputTokens += u.outputTokens ?? 0
  into.cacheCreationTokens += u.cacheCreationTokens ?? 0
  into.cacheReadTokens += u.cacheReadTokens ?? 0
  into.costUsd += u.costUsd ?? 0
  return into
}

/** Every token the model processed: input, output, cache writes and cache reads. */
export function totalTokens(u: Omit<Usage, 'model'> | undefined): number {
  if (!u) return 0
  return (u.inputTokens ?? 0) + (u.outputTokens ?? 0) + (u.cacheCreationTokens ?? 0) + (u.cacheReadTokens ?? 0)
}

export const hasUsage = (t: Totals): boolean => totalTokens(t) > 0 || t.costUsd > 0
