import type {Usage} from '../types.js'

/** Per-model totals in a result event's `modelUsage` (subagents and fallback models get their own entry). */
export interface ModelUsage {
  inputTokens?: number
  outputTokens?: number
  cacheReadInputTokens?: number
  cacheCreationInputTokens?: number
  costUSD?: number
}

/** A result event's `usage` (the main model's; partial when several models ran). */
export interface ResultUsage {
  input_tokens?: number
  output_tokens?: number
  cache_creation_input_tokens?: number
  cache_read_input_tokens?: number
}

/** `claude-opus-4-8[1m]` → `claude-opus-4-8`: the context-window tag is not part of the model's name. */
export function normalizeModel(id: string | undefined): string | undefined {
  if (!id) return undefined
  const bare = id.replace(/\[[^\]]*\]$/, '').trim()
  return bare || undefined
}

/**
 * The usage rows of one Claude Code session: one per model from `modelUsage` with its own cost, or,
 * from an older CLI without it, one row from `usage` and `total_cost_usd`. Cache reads and writes are
 * kept apart from input tokens, as the API reports them; a session that spent nothing gives no row.
 */
export function usageRows(r: {modelUsage?: Record<string, ModelUsage>; usage?: ResultUsage; total_cost_usd?: number}, fallbackModel?: string): Usage[] {
  const perModel = Object.entries(r.modelUsage ?? {})
  const rows: Usage[] = perModel.length
    ? perModel.map(([id, m]) => ({
        inputTokens: m.inputTokens ?? 0,
        outputTokens: m.outputTokens ?? 0,
        cacheCreationTokens: m.cacheCreationInputTokens ?? 0,
        cacheReadTokens: m.cacheReadInputTokens ?? 0,
        costUsd: m.costUSD ?? 0,
        model: normalizeModel(id),
      }))
    : [
        {
          inputTokens: r.usage?.input_tokens ?? 0,
          outputTokens: r.usage?.output_tokens ?? 0,
          cacheCreationTokens: r.usage?.cache_creation_input_tokens ?? 0,
          cacheReadTokens: r.usage?.cache_read_input_tokens ?? 0,
          costUsd: r.total_cost_usd ?? 0,
          model: normalizeModel(fallbackModel),
        },
      ]
  return rows.filter(u => u.inputTokens || u.outputTokens || u.cacheCreationTokens || u.cacheReadTokens || u.costUsd)
}
