import type {ExecutorContext} from '../types.js'
import {authMessage, isAuthFailure, outcome} from './failure.js'
import {blocks, clip, lastLine, resultText, summarizeInput, toolLabel} from './summary.js'
import {normalizeModel, usageRows, type ModelUsage, type ResultUsage} from './usage.js'
import {costOf} from '../../budget/prices.js'

/** The `result` event that ends a Claude Code stream (the fields adw reads). */
export interface ClaudeResult {
  /** `success` even for API errors: read `is_error`. */
  subtype?: string
  is_error?: boolean
  /** HTTP status of the API error that ended the session, else null. */
  api_error_status?: number | null
  /** `completed`, `max_turns`, ... */
  terminal_reason?: string
  result?: string
  errors?: unknown[]
  num_turns?: number
  session_id?: string
  total_cost_usd?: number
  duration_ms?: number
  duration_api_ms?: number
  usage?: ResultUsage
  modelUsage?: Record<string, ModelUsage>
  /** With `--json-schema`: the validated answer. */
  structured_output?: unknown
  permission_denials?: {tool_name?: string; tool_input?: Record<string, unknown>}[]
}

type StreamCtx = Pick<ExecutorContext, 'log' | 'progress' | 'reportUsage' | 'workingDir' | 'budget'>

/** A `rate_limit_event` that refused the session: a subscription's usage limit, with its reset time. */
export interface UsageLimit {
  /** Epoch seconds. */
  resetsAt?: number
  /** `five_hour`, `seven_day`, ... */
  type?: string
}

/**
 * Turns `claude --output-format stream-json --verbose` lines into log rows, progress and one usage
 * report. Feed it every stdout line as it arrives; `result` is set once the result event came.
 */
export class StreamParser {
  result?: ClaudeResult
  sessionId?: string
  model?: string
  /** The text of the synthetic assistant message Claude Code emits for an API error. */
  synthetic?: string
  /** Set when the stream shows the session cannot succeed (a refused key): stop the CLI now. */
  fatal?: string
  /** Set by a rejected `rate_limit_event`: the session hit a usage limit. */
  usageLimit?: UsageLimit
  private readonly tools = new Map<string, {name: string; label: string}>()
  /**
   * Under a USD budget: what the session has spent so far, priced per API call from the assistant
   * events (the result's own cost comes only at the end), so the step is stopped when it crosses.
   */
  private readonly spend?: {left: number; calls: Map<string, {model?: string; input: number; output: number; cacheWrite: number; cacheRead: number}>; reported: boolean}

  constructor(
    private readonly ctx: StreamCtx,
    private readonly fallbackModel?: string,
    private readonly onFatal: (message: string) => void = () => {},
  ) {
    const left = ctx.budget?.remaining().usd
    if (left !== undefined) this.spend = {left, calls: new Map(), reported: false}
  }

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
      case 'rate_limit_event':
        return this.rateLimit(event)
      default:
        this.ctx.log('DEBUG', 'output', `claude event ${String(event.type)}`, {event: clip(text, 2000)})
    }
  }

  private system(e: any): void {
    if (e.subtype === 'api_retry') return this.retry(e)
    if (e.subtype !== 'init') {
      this.ctx.log('DEBUG', 'state_change', `claude system event ${String(e.subtype)}`)
      return
    }
    this.sessionId = e.session_id
    this.model = normalizeModel(e.model)
    this.ctx.log('INFO', 'state_change', `Claude Code session ${e.session_id ?? '?'} started (model ${this.model ?? '?'})`, {
      sessionId: e.session_id,
      model: e.model,
      tools: e.tools,
      cwd: e.cwd,
      permissionMode: e.permissionMode,
      mcpServers: e.mcp_servers,
      version: e.claude_code_version,
    })
  }

  /** `{"subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":569,"error_status":401,"error":"authentication_failed"}` */
  private retry(e: any): void {
    const status = e.error_status ?? 'no status'
    const delay = typeof e.retry_delay_ms === 'number' ? `${(e.retry_delay_ms / 1000).toFixed(1)} s` : '?'
    const text = `API error ${status}${e.error ? ` (${String(e.error)})` : ''}: retry ${e.attempt ?? '?'} of ${e.max_retries ?? '?'} in ${delay}`
    this.ctx.log('WARNING', 'state_change', `Claude Code ${text}`, {attempt: e.attempt, maxRetries: e.max_retries, retryDelayMs: e.retry_delay_ms, status: e.error_status, error: e.error})
    this.ctx.progress(text)
    if (isAuthFailure(e.error_status, e.error)) this.stop(authMessage(`API status ${status}${e.error ? `, ${String(e.error)}` : ''}`))
  }

  private stop(message: string): void {
    if (this.fatal) return
    this.fatal = message
    this.onFatal(message)
  }

  /** `{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1798815600,"rateLimitType":"five_hour"}}` */
  private rateLimit(e: any): void {
    const info = e.rate_limit_info ?? {}
    if (info.status !== 'rejected') {
      this.ctx.log('DEBUG', 'state_change', `Claude Code rate limit: ${String(info.status ?? '?')}`, {rateLimit: info})
      return
    }
    this.usageLimit = {...(typeof info.resetsAt === 'number' ? {resetsAt: info.resetsAt} : {}), ...(typeof info.rateLimitType === 'string' ? {type: info.rateLimitType} : {})}
    const reset = this.usageLimit.resetsAt ? `; resets at ${new Date(this.usageLimit.resetsAt * 1000).toISOString()}` : ''
    this.ctx.log('WARNING', 'state_change', `Claude Code hit a usage limit${info.rateLimitType ? ` (${info.rateLimitType})` : ''}${reset}`, {rateLimit: info})
  }

  /** Adds one API call's usage (an assistant event; one call may span several) and reports the spend once it crosses what was left. */
  private charge(e: any): void {
    const spend = this.spend
    const u = e.message?.usage
    if (!spend || spend.reported || !u || typeof e.message?.id !== 'string') return
    const model = normalizeModel(e.message?.model) ?? this.model ?? this.fallbackModel
    spend.calls.set(e.message.id, {model, input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cacheWrite: u.cache_creation_input_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0})
    let usd = 0
    for (const c of spend.calls.values()) {
      usd += (c.model && costOf(c.model, {inputTokens: c.input, outputTokens: c.output, cacheCreationTokens: c.cacheWrite, cacheReadTokens: c.cacheRead}, this.ctx.budget?.prices)) || 0
    }
    if (usd < spend.left) return
    // Report what was spent so far: the engine's ledger sees the limit reached and stops the step.
    spend.reported = true
    const byModel = new Map<string | undefined, {inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number}>()
    for (const c of spend.calls.values()) {
      const t = byModel.get(c.model) ?? {inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0}
      t.inputTokens += c.input
      t.outputTokens += c.output
      t.cacheCreationTokens += c.cacheWrite
      t.cacheReadTokens += c.cacheRead
      byModel.set(c.model, t)
    }
    this.ctx.log('WARNING', 'cost_update', `Claude Code's spend (about $${usd.toFixed(4)}, priced per call) reached the $${spend.left.toFixed(4)} left in the budget`)
    for (const [model, t] of byModel) this.ctx.reportUsage({...t, ...(model ? {model} : {})})
  }

  private assistant(e: any): void {
    if (e.message?.model !== '<synthetic>') this.charge(e)
    if (e.message?.model === '<synthetic>') {
      // Not the model speaking: Claude Code's own words for an API error, before an is_error result.
      this.synthetic = blocks(e.message?.content).map(b => (typeof b.text === 'string' ? b.text : '')).join('\n').trim() || undefined
      if (this.synthetic) this.ctx.log('WARNING', 'output', `Claude Code: ${clip(this.synthetic, 2000)}`, {synthetic: true, error: e.error})
      return
    }
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
    if (e.isSynthetic) {
      this.ctx.log('DEBUG', 'output', `Claude Code to the model: ${clip(resultText(e.message?.content), 500)}`, {synthetic: true})
      return
    }
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
    // Spend already reported call by call when the budget stopped the session is not reported twice.
    if (!this.spend?.reported) for (const u of usageRows(r, this.model ?? this.fallbackModel)) this.ctx.reportUsage(u)
    for (const d of r.permission_denials ?? []) {
      const label = toolLabel(String(d.tool_name ?? 'tool'), d.tool_input, this.ctx.workingDir)
      this.ctx.log('WARNING', 'tool_call', `Permission denied: ${label}`, {tool: d.tool_name, input: summarizeInput(d.tool_input), denied: true})
    }
    const {failed, line} = outcome(r)
    this.ctx.log(failed ? 'WARNING' : 'INFO', 'performance', line, {
      durationMs: r.duration_ms,
      durationApiMs: r.duration_api_ms,
      numTurns: r.num_turns,
      isError: failed,
      apiErrorStatus: r.api_error_status ?? undefined,
      terminalReason: r.terminal_reason,
    })
  }
}
