/**
 * What of a Messages API request a recording keeps and a replay matches: its stable parts (model,
 * system, tools, messages; never request ids, stream flags or limits), with the prompt-cache marks
 * removed (they move every turn) and the working directory written as WORKDIR (a replay works in
 * another folder). Shared by the agent executor, which records, and the replay server, which matches.
 */
import {createHash} from 'node:crypto'

/** How the working directory appears in recorded requests. */
export const WORKDIR = '<working-dir>'

export interface StableRequest {
  model: string
  system: unknown
  tools: unknown
  messages: unknown[]
}

/**
 * The part of a request a recording stores per call: the messages from index `from` on (what was
 * added since the step's previous call), and model/system/tools only when they changed (always on
 * the first call). A step's requests are rebuilt from these in order (see rebuild).
 */
export interface RequestDelta {
  from: number
  messages: unknown[]
  model?: string
  system?: unknown
  tools?: unknown
}

/** The stable parts of a request body, normalized (see the file comment). */
export function stableRequest(body: {model?: unknown; system?: unknown; tools?: unknown; messages?: unknown}, workingDirs: string[]): StableRequest {
  const dirs = [...new Set(workingDirs.filter(d => d.length > 1))].sort((a, b) => b.length - a.length)
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v
      for (const d of dirs) if (s.includes(d)) s = s.split(d).join(WORKDIR)
      return s
    }
    if (Array.isArray(v)) return v.map(clean)
    if (v && typeof v === 'object') {
      // Keys sorted here, so that plain JSON.stringify of the result is canonical (see stableJson).
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k]
        if (k !== 'cache_control' && x !== undefined) out[k] = clean(x)
      }
      return out
    }
    return v
  }
  const system = typeof body.system === 'string' ? [{text: body.system, type: 'text'}] : body.system ?? []
  return {
    model: String(body.model ?? ''),
    system: clean(system),
    tools: clean(body.tools ?? []),
    messages: (clean(Array.isArray(body.messages) ? body.messages : []) as unknown[]).map(normalizeMessage),
  }
}

/** A message whose content is a plain string is the same as one text block. */
function normalizeMessage(m: unknown): unknown {
  const msg = m as {role?: unknown; content?: unknown}
  if (msg && typeof msg.content === 'string') return {...msg, content: [{text: msg.content, type: 'text'}]}
  return m
}

/** JSON of a value from stableRequest (its keys already sorted): the same value always gives the same text. */
export const stableJson = (v: unknown): string => JSON.stringify(v) ?? 'null'

/** sha256 hex of the request's stable parts. */
export function requestHash(req: StableRequest): string {
  return createHash('sha256').update(stableJson({messages: req.messages, model: req.model, system: req.system, tools: req.tools})).digest('hex')
}

/** The delta of `req` over the step's previous request (undefined for its first). */
export function deltaOf(req: StableRequest, previous: StableRequest | undefined): RequestDelta {
  if (!previous) return {from: 0, messages: req.messages, model: req.model, system: req.system, tools: req.tools}
  let from = 0
  const max = Math.min(previous.messages.length, req.messages.length)
  while (from < max && stableJson(previous.messages[from]) === stableJson(req.messages[from])) from++
  return {
    from,
    messages: req.messages.slice(from),
    ...(req.model !== previous.model ? {model: req.model} : {}),
    ...(stableJson(req.system) !== stableJson(previous.system) ? {system: req.system} : {}),
    ...(stableJson(req.tools) !== stableJson(previous.tools) ? {tools: req.tools} : {}),
  }
}

/** A step's requests, rebuilt from its recorded deltas in order. */
export function rebuild(deltas: RequestDelta[]): StableRequest[] {
  const out: StableRequest[] = []
  let prev: StableRequest = {model: '', system: [], tools: [], messages: []}
  for (const d of deltas) {
    const next: StableRequest = {
      model: d.model ?? prev.model,
      system: 'system' in d ? d.system : prev.system,
      tools: 'tools' in d ? d.tools : prev.tools,
      messages: [...prev.messages.slice(0, d.from), ...d.messages],
    }
    out.push(next)
    prev = next
  }
  return out
}
