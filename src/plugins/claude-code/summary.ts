import {isAbsolute, relative} from 'node:path'

/** Cuts a string to `max` characters with a marker saying how much was left out. */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more characters]` : s
}

/** The last non-empty line of a text. */
export function lastLine(s: string): string {
  const lines = s.split('\n').filter(l => l.trim())
  return (lines.at(-1) ?? '').trim()
}

/** The input field that says most about a tool call, by the common Claude Code tool shapes. */
const KEY_FIELDS = ['file_path', 'notebook_path', 'path', 'command', 'pattern', 'url', 'query', 'description', 'prompt']

/** `Edit src/x.ts`, `Bash npm test`: a one-line label for a tool call, paths relative to `workingDir`. */
export function toolLabel(name: string, input: unknown, workingDir: string): string {
  if (!input || typeof input !== 'object') return name
  const rec = input as Record<string, unknown>
  const key = KEY_FIELDS.find(k => typeof rec[k] === 'string' && rec[k])
  if (!key) return name
  let value = String(rec[key])
  if (key.endsWith('path') && isAbsolute(value)) {
    const rel = relative(workingDir, value)
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) value = rel
  }
  return `${name} ${clip(value.replace(/\s+/g, ' ').trim(), 120)}`
}

/** A tool input for the log's details: long strings (file contents, patches) shortened. */
export function summarizeInput(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    out[k] = typeof v === 'string' ? clip(v, 300) : v
  }
  return out
}

/** The content blocks of a message (a plain string counts as one text block). */
export function blocks(content: unknown): any[] {
  if (typeof content === 'string') return [{type: 'text', text: content}]
  return Array.isArray(content) ? content.filter(b => b && typeof b === 'object') : []
}

/** The text of a tool result's content. */
export function resultText(content: unknown): string {
  if (typeof content === 'string') return content
  return blocks(content)
    .map(b => (typeof b.text === 'string' ? b.text : ''))
    .join('\n')
}
