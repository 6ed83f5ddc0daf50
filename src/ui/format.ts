import {totalTokens} from '../engine/usage.js'
import type {Usage} from '../plugins/types.js'

/** `0.4s`, `12.4s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** `850`, `18.2k`, `1.3M`. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n))
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`
  return `${(n / 1_000_000).toFixed(1)}M`
}

/** `$0.12`, `$0.041`, `$0.0007`. */
export function formatCost(usd: number): string {
  if (usd >= 0.1) return `$${usd.toFixed(2)}`
  if (usd >= 0.001) return `$${usd.toFixed(3)}`
  return `$${usd.toFixed(4)}`
}

/** The parts after a finished title: `12.4s · 18.2k tok · $0.041` (usage only when there was some). */
export function resultParts(durationMs: number, usage?: Omit<Usage, 'model'>, extra: string[] = []): string {
  const parts = [...extra, formatDuration(durationMs)]
  const tokens = totalTokens(usage)
  if (tokens > 0) parts.push(`${formatTokens(tokens)} tok`)
  if ((usage?.costUsd ?? 0) > 0) parts.push(formatCost(usage!.costUsd!))
  return parts.join(' · ')
}

/** First non-empty line, without control characters, cut to `max` characters. */
export function oneLine(text: string, max = 160, last = false): string {
  const lines = String(text).split(/\r?\n/).map(l => l.trim()).filter(Boolean)
  // eslint-disable-next-line no-control-regex
  const line = ((last ? lines.at(-1) : lines[0]) ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
