import type {ExecutorContext} from '../types.js'
import {clip, lastLine, summarizeInput, toolLabel} from './summary.js'

/** The `result` event that ends a Claude Code stream (the fields adw reads). */
export interface ClaudeResult {
  subtype?: string
  is_error?: boolean
  result?: string
  error?: string
  errors?: unknown[]
  num_turns?: number
  session_id?: string
  total_cost_usd?: number
  duration_ms?: number
  duration_api_ms?: number
  usage?: {input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number}
  permission_denials?: {tool_name?: string; tool_input?: Record<string, unknown>}[]
}

type StreamCtx = Pick<ExecutorContext, 'log' | 'progress' | 'reportUsage' | 'workingDir'>

/**
 * Turns `claude --output-format stream-json --verbose` lines into log rows, progress and one usage
 * report. Feed it every stdout line as it arrives; `result` is set once the result event came.
 */
export class StreamParser {
  result?: ClaudeResult
  sessionId?: string
  model?: string
  private readonly tools = new Map<string, {name: string; label: string}>()

  constructor(private readonly ctx: StreamCtx, private readonly fallbackModel?: string) {}

  line(raw: string): void {
    const text = raw.trim()
    if (!text) return
    let event: any
    try {
      event = JSON.parse(text)
    } catch {
      event = undefined
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      this.ctx.log('WARNING', 'output', `Unparseable line from claude: ${clip(text, 500)}`)
      return
    }
    switch (event.type) {
      case 'system':
        return this.system(event)
      case 'assistant':
        return this.assistant(event)
      case 'user':
        return this.user(event)
      case 'result':
        return this.finish(event as ClaudeResult)
      default:
        this.ctx.log('DEBUG', 'output', `claude event ${String(event.type)}`, {event: clip(text, 2000)})
    }
  }

  private system(e: any): void {
    if (e.subtype !== 'init') {
      this.ctx.log('DEBUG', 'state_change', `claude system event ${String(e.subtype)}`)
      return
    }
    this.sessionId = e.session_id
    this.model = e.model
    this.ctx.log('INFO', 'state_change', `Claude Code session ${e.session_id ?? '?'} started (model ${e.model ?? '?'})`, {
      sessionId: e.session_id,
      model: e.model,
      tools: e.tools,
      cwd: e.cwd,
      permissionMode: e.permissionMode,
      mcpServers: e.mcp_servers,
      version: e.claude_code_version,
    })
  }

  private assistant(e: any): void {
    const sub = e.parent_tool_use_id ? {parentToolUseId: e.parent_tool_use_id} : undefined
    for (const block of blocks(e.message?.content)) {
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        this.ctx.log('INFO', 'output', clip(block.text, 4000), sub)
        this.ctx.progress(clip(lastLine(block.text), 200))
      } else if (block.type === 'tool_use') {
        const name = String(block.name ?? 'tool')
        const label = toolLabel(name, block.input, this.ctx.workingDir)
        this.tools.set(block.id, {name, label})
        this.ctx.log('INFO', 'tool_call', label, {id: block.id, tool: name, input: summarizeInput(block.input), ...sub})
        this.ctx.progress(clip(label, 200))
      } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
        this.ctx.log('DEBUG', 'output', clip(block.thinking, 4000), {thinking: true, ...sub})
      }
    }
  }

  private user(e: any): void {
    for (const block of blocks(e.message?.content)) {
      if (block.type !== 'tool_result') continue
      const {name, label} = this.tools.get(block.tool_use_id) ?? {name: 'tool', label: 'tool'}
      const content = resultText(block.content)
      const ok = block.is_error !== true
      const message = ok ? `${label} → ok (${content.length} chars)` : `${label} → error: ${clip(lastLine(content) || 'failed', 300)}`
      this.ctx.log(ok ? 'INFO' : 'WARNING', 'tool_call', message, {id: block.tool_use_id, tool: name, ok, resultChars: content.length, ...(ok ? {} : {error: clip(content, 2000)})})
    }
  }

  private finish(r: ClaudeResult): void {
    this.result = r
    this.sessionId = r.session_id ?? this.sessionId
    const u = r.usage ?? {}
    this.ctx.reportUsage({
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheCreationTokens: u.cache_creation_input_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      costUsd: r.total_cost_usd ?? 0,
      model: this.model ?? this.fallbackModel,
    })
    for (const d of r.permission_denials ?? []) {
      const label = toolLabel(String(d.tool_name ?? 'tool'), d.tool_input, this.ctx.workingDir)
      this.ctx.log('WARNING', 'tool_call', `Permission denied: ${label} (allow it with allowedTools or permissionMode)`, {tool: d.tool_name, input: summarizeInput(d.tool_input)})
    }
    const secs = (ms?: number) => (ms === undefined ? '?' : (ms / 1000).toFixed(1))
    this.ctx.log('INFO', 'performance', `Claude Code ${r.subtype ?? 'finished'}: ${r.num_turns ?? '?'} turns in ${secs(r.duration_ms)} s (API ${secs(r.duration_api_ms)} s), $${(r.total_cost_usd ?? 0).toFixed(4)}`, {
      durationMs: r.duration_ms,
      durationApiMs: r.duration_api_ms,
      numTurns: r.num_turns,
      isError: r.is_error === true,
    })
  }
}

function blocks(content: unknown): any[] {
  if (typeof content === 'string') return [{type: 'text', text: content}]
  return Array.isArray(content) ? content.filter(b => b && typeof b === 'object') : []
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content
  return blocks(content)
    .map(b => (typeof b.text === 'string' ? b.text : ''))
    .join('\n')
}
