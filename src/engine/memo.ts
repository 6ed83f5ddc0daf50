/**
 * Resume keys: what a step run's result depends on, reduced to one sha256 digest, so `--resume`
 * reuses a completed step only when what it would do now is what it did then.
 *
 * A key covers the executor (name, its own `version`, the executor contract version), the step's
 * RENDERED `with:` (after templating, with the values a shell step receives as `ADW_TAG_n`
 * variables), the model in force (for executors that take a `model` option) and the status and
 * outputs of its upstream steps. Only digests are ever stored: a secret in a rendered option
 * reaches the database as part of a sha256, never as text.
 */
import {hash} from 'node:crypto'
import type {StepExecutor} from '../plugins/types.js'
import {EXECUTOR_API_VERSION} from '../plugins/version.js'

/** Bumped when the key's recipe changes: every older key then reads as changed (the step re-runs). */
export const KEY_VERSION = 1

/** Digests of each part of a key, stored beside it so a later resume can say which part changed. */
export interface KeyParts {
  executor: string
  with: string
  model: string
  /** Upstream step id → digest of its status and outputs. */
  upstream: Record<string, string>
  /** A forEach item's run: digest of its item (absent for a step without forEach). */
  item?: string
}

export interface ContentKey {
  /** sha256 hex over the whole content (via the full digests of its parts). */
  key: string
  /** Short (16 hex) digests of the parts, for reasons only. */
  parts: KeyParts
}

/** What a step run's outcome depends on. */
export interface KeyInput {
  executor: Pick<StepExecutor, 'name' | 'version'>
  /** The `with:` options after templating. */
  options: Record<string, unknown>
  /** The `ADW_TAG_n` values a shell option's `{{tags}}` became (they are part of what runs). */
  env?: Record<string, string>
  /** The model in force: the rendered `with.model`, else the run's default; undefined when the executor takes none. */
  model?: string
  /** The upstream steps' results, by id. */
  upstream: Record<string, {status: string; outputs: unknown}>
  /**
   * A forEach item's run: the item it runs on (what it does depends on it even when its `with:`
   * does not name it), so resume can find an item's earlier run wherever it now sits in the list.
   */
  item?: {value: unknown}
}

/**
 * JSON with every object's keys sorted, with JSON.stringify's own meaning otherwise (undefined
 * members dropped, toJSON honoured): a value and its JSON round trip (outputs read back from the
 * store) give the same text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  }) ?? 'null'
}

const sha256 = (text: string): string => hash('sha256', text, 'hex')

/** The key of one step run. */
export function contentKey(input: KeyInput): ContentKey {
  const full = {
    executor: sha256(canonicalJson({name: input.executor.name, version: input.executor.version ?? null, api: EXECUTOR_API_VERSION})),
    with: sha256(canonicalJson({options: input.options, env: input.env ?? {}})),
    model: sha256(canonicalJson(input.model ?? null)),
    upstream: Object.fromEntries(
      Object.keys(input.upstream)
        .sort()
        .map(id => [id, sha256(canonicalJson({status: input.upstream[id].status, outputs: input.upstream[id].outputs ?? {}}))]),
    ),
    // Only a forEach item's key has this part: every other step's key is what it was before items had one.
    ...(input.item ? {item: sha256(canonicalJson(input.item.value ?? null))} : {}),
  }
  const short = (d: string) => d.slice(0, 16)
  return {
    key: sha256(canonicalJson({v: KEY_VERSION, ...full})),
    parts: {
      executor: short(full.executor),
      with: short(full.with),
      model: short(full.model),
      upstream: Object.fromEntries(Object.entries(full.upstream).map(([id, d]) => [id, short(d)])),
      ...(full.item ? {item: short(full.item)} : {}),
    },
  }
}

/**
 * The model a step runs with, for its key: its rendered `with.model`, else the run's default, for
 * executors whose options take a `model` (agent, claude-code); undefined for the others, so
 * changing `--model` on resume does not re-run a shell step.
 */
export function modelInForce(executor: Pick<StepExecutor, 'schema'>, options: Record<string, unknown>, runModel: string | undefined): string | undefined {
  const props = (executor.schema as {properties?: Record<string, unknown>} | undefined)?.properties
  if (!props || !('model' in props)) return undefined
  return typeof options.model === 'string' && options.model !== '' ? options.model : runModel
}

/** Which parts of two keys differ, in words: `upstream plan changed`, `its with: changed`. */
export function changedParts(before: KeyParts, now: KeyParts): string[] {
  const why: string[] = []
  const ids = [...new Set([...Object.keys(before.upstream), ...Object.keys(now.upstream)])]
  const upstream = ids.filter(id => before.upstream[id] !== now.upstream[id])
  if (upstream.length) why.push(`upstream ${upstream.join(', ')} changed`)
  if (before.item !== now.item) why.push('its item changed')
  if (before.with !== now.with) why.push('its with: changed')
  if (before.executor !== now.executor) why.push('its executor changed')
  if (before.model !== now.model) why.push('its model changed')
  return why
}

/** Whether a step's earlier run is reused on resume, and why (shown in the view and logged). */
export interface Decision {
  reuse: boolean
  /** `reused: key unchanged`, `re-run: its with: changed`, `re-run: failed before`, ... */
  reason: string
}

/** What holds for the whole resume, beyond each step's own key. */
export interface ResumeContext {
  /** Step ids `--from` forces to run again (the step and everything downstream). */
  forced?: ReadonlySet<string>
  /** The `--from` step, for the reason. */
  from?: string
  /**
   * The pipeline is the one the run started with (no `--pipeline`, or the same text): rows written
   * before keys existed (content_key NULL) are then reused, as resume did before.
   */
  samePipeline: boolean
}

/** The fields of an earlier step row that the decision reads. */
export type PreviousRun = {status: string; content_key: string | null; key_parts: string | null}

/**
 * The reuse decision for one step run on resume. Only a succeeded run whose recorded key equals
 * the key computed now is reused; failed, interrupted and cancelled runs always run again (a cached
 * failure is never replayed), and so does every step `--from` forces. `now` is undefined when the
 * step's `with:` no longer renders: it runs again and fails there, saying why.
 */
export function decide(stepId: string, now: ContentKey | undefined, previous: PreviousRun | undefined, ctx: ResumeContext): Decision {
  if (!previous) return {reuse: false, reason: 'run: not run before'}
  if (ctx.forced?.has(stepId)) return {reuse: false, reason: ctx.from === stepId ? `re-run: --from ${stepId}` : `re-run: downstream of --from ${ctx.from}`}
  if (previous.status === 'skipped') return {reuse: false, reason: 'run: skipped before'}
  if (previous.status !== 'succeeded') return {reuse: false, reason: `re-run: ${previous.status} before`}
  if (previous.content_key === null) {
    return ctx.samePipeline ? {reuse: true, reason: 'reused: recorded before resume keys, pipeline unchanged'} : {reuse: false, reason: 're-run: recorded before resume keys and the pipeline changed'}
  }
  if (now === undefined) return {reuse: false, reason: 're-run: its with: no longer renders'}
  if (now.key === previous.content_key) return {reuse: true, reason: 'reused: key unchanged'}
  const why = previous.key_parts ? changedParts(JSON.parse(previous.key_parts) as KeyParts, now.parts) : []
  return {reuse: false, reason: `re-run: ${why.length ? why.join('; ') : 'key changed'}`}
}
