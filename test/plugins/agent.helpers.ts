import type {ExecutorContext, LogLevel, LogType, Usage} from '../../src/plugins/types.js'

/** A key distinctive enough to search for in logs, errors and database bytes. */
export const TEST_KEY = 'sk-ant-test-4f3c9a1b7e2d8c6a'

export interface LogRow {
  level: LogLevel
  type: LogType
  message: string
  details?: unknown
}

/** A hand-built ExecutorContext that collects what the step reports. */
export function makeCtx(opts: {workingDir: string; baseURL?: string; env?: Record<string, string | undefined>; model?: string; signal?: AbortSignal}) {
  const logs: LogRow[] = []
  const usages: Usage[] = []
  const progress: string[] = []
  const ctx: ExecutorContext = {
    adwId: 'test-run',
    stepId: 'agent',
    iteration: 0,
    workingDir: opts.workingDir,
    signal: opts.signal ?? new AbortController().signal,
    env: {PATH: process.env.PATH, HOME: process.env.HOME, ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: opts.baseURL, ...opts.env},
    model: opts.model,
    log: (level, type, message, details) => void logs.push({level, type, message, details}),
    progress: text => void progress.push(text),
    reportUsage: u => void usages.push(u),
  }
  return {ctx, logs, usages, progress, all: () => JSON.stringify({logs, usages, progress})}
}

/** The tool_result blocks of a recorded request's last message. */
export function toolResults(body: any): any[] {
  const last = body?.messages?.[body.messages.length - 1]
  return Array.isArray(last?.content) ? last.content.filter((b: any) => b.type === 'tool_result') : []
}
