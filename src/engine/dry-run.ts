import Mustache from 'mustache'
import {relative} from 'node:path'
import type {ResolvedConfig} from '../config.js'
import {renderStepOptions} from '../pipeline/shell/render.js'
import {retryLabel, usesNeeds} from '../pipeline/describe.js'
import type {ActionStep, Condition, Pipeline, Step} from '../pipeline/types.js'
import {secretInputValues} from '../secrets/inputs.js'
import {envRedactor} from '../secrets/redactor.js'

/** One step as `adw run --dry-run` shows it. */
export interface DryStep {
  id: string
  executor?: string
  /** The `if:` source and what it gives now: true/false from inputs alone, or decided at run time. */
  if?: {source: string; now: boolean | 'run time'}
  /** The `with:` block rendered; outputs of earlier steps appear as `<steps.id.outputs.key>`. */
  with?: Record<string, unknown>
  /** The values a shell option's `"${ADW_TAG_n}"` references stand for (they reach bash as environment variables). */
  tags?: Record<string, string>
  /** Why the options could not be rendered (a value too long, a NUL). */
  error?: string
  loop?: {maxAttempts: number; until: string; steps: DryStep[]}
  /** The steps it waits for (shown when the pipeline writes needs:). */
  needs?: string[]
  /** Fan-out: the list expression, and the items when inputs alone decide them. */
  forEach?: {source: string; maxItems: number; items: unknown[] | 'run time'}
  /** The retry policy, in words. */
  retry?: string
}

export interface DryRun {
  pipeline: string
  file: string
  workingDir: string
  db: string
  inputs: Record<string, unknown>
  steps: DryStep[]
  /** Most steps at once, and whether the first failure stops the run. */
  concurrency: number
  failFast: boolean
  /** Whether steps show their needs (some step has needs: written). */
  graph: boolean
  /** Why the real run would be refused before starting (preflight), if it would. */
  refused?: string
}

type Token = [string, string, number, number, Token[]?]

/** What `adw run` would do, computed without running a step or opening the database. */
export async function planDryRun(pipeline: Pipeline, inputs: Record<string, unknown>, config: ResolvedConfig, workingDir: string, refused?: string): Promise<DryRun> {
  // Earlier steps' outputs are unknown before a run: each name a template reads shows as a placeholder.
  const earlier: Record<string, {outputs: Record<string, string> | string; status: string}> = {}
  // A forEach step's item, also unknown: each `item.x` it reads shows as <item.x>.
  let item: Record<string, string> = {}
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.includes('{{')) {
      const visit = (tokens: Token[]) => {
        for (const [type, name, , , children] of tokens) {
          const [root, id, field, key] = name.split('.')
          if (root === 'item' && ['name', '&'].includes(type)) item[name.slice(5) || '.'] = `<${name}>`
          if (root === 'steps' && id && ['name', '&', '#', '^'].includes(type)) {
            earlier[id] ??= {outputs: {}, status: `<steps.${id}.status>`}
            if (field === 'outputs' && key && typeof earlier[id].outputs === 'object') earlier[id].outputs[key] = `<steps.${id}.outputs.${key}>`
          }
          if (children) visit(children)
        }
      }
      try {
        visit(Mustache.parse(value) as Token[])
      } catch {
        // validated at load
      }
    } else if (Array.isArray(value)) value.forEach(collect)
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  const all = pipeline.steps.flatMap(s => (s.kind === 'loop' ? s.steps : [s]))
  all.forEach(s => collect(s.with))
  // A fan-out step's outputs are a list, one entry per item, known only once it has run.
  for (const s of all) if (s.forEach) earlier[s.id] = {outputs: `<steps.${s.id}.outputs: one per item>`, status: `<steps.${s.id}.status>`}
  const scope = {inputs, steps: earlier, run: {adwId: '<adw id>', workingDir, costUsd: '<cost so far>'}, env: config.env}
  const redact = envRedactor(config.env, secretInputValues(pipeline, inputs))
  const mask = <T>(v: T): T => redact.value(v)
  const condition = (c: Condition | undefined): DryStep['if'] => {
    if (!c) return undefined
    try {
      return {source: c.source, now: c.evaluate({...scope, steps: {}})}
    } catch {
      return {source: c.source, now: 'run time'}
    }
  }
  const graph = usesNeeds(pipeline)
  const extras = (s: Step): Partial<DryStep> => ({
    ...(graph ? {needs: s.needs} : {}),
    ...(s.kind === 'action' && s.forEach ? {forEach: {source: s.forEach.items.source, maxItems: s.forEach.maxItems, items: itemsNow(s)}} : {}),
    ...(s.kind === 'action' && s.retry ? {retry: retryLabel(s.retry)} : {}),
  })
  const itemsNow = (s: ActionStep): unknown[] | 'run time' => {
    try {
      const list = s.forEach!.items.evaluate({...scope, steps: {}})
      return Array.isArray(list) ? mask(list) : 'run time'
    } catch {
      return 'run time'
    }
  }
  const action = async (s: ActionStep): Promise<DryStep> => {
    const base = {id: s.id, executor: s.executor.name, ...(s.if ? {if: condition(s.if)} : {}), ...extras(s)}
    item = {}
    if (s.forEach) collect(s.with)
    const itemScope = s.forEach ? {item: itemPlaceholder(item), index: '<index>'} : {}
    try {
      const {options, env} = await renderStepOptions(s.with, {...scope, ...itemScope}, s.executor.shellOptions ?? [], {unsafeRaw: s.unsafeRaw, stepId: s.id})
      return {...base, with: mask(options), ...(Object.keys(env).length ? {tags: mask(env)} : {})}
    } catch (error) {
      return {...base, error: redact.text((error as Error).message)}
    }
  }
  const steps: DryStep[] = []
  for (const s of pipeline.steps) {
    if (s.kind !== 'loop') steps.push(await action(s))
    else {
      const body: DryStep[] = []
      for (const b of s.steps) body.push(await action(b))
      steps.push({id: s.id, ...(s.if ? {if: condition(s.if)} : {}), ...extras(s), loop: {maxAttempts: s.maxAttempts, until: s.until.source, steps: body}})
    }
  }
  const {concurrency, failFast} = pipeline
  return {pipeline: pipeline.name, file: pipeline.file, workingDir, db: config.dbPath, inputs: mask(inputs), steps, concurrency, failFast, graph, ...(refused ? {refused} : {})}
}

/** `item` for rendering a forEach step's options: `<item>` itself, or an object of the `item.x` it reads. */
function itemPlaceholder(names: Record<string, string>): unknown {
  if (Object.keys(names).length === 0 || '.' in names) return '<item>'
  const out: Record<string, unknown> = {}
  for (const [path, shown] of Object.entries(names)) {
    const keys = path.split('.')
    let at = out
    for (const k of keys.slice(0, -1)) {
      if (typeof at[k] !== 'object' || at[k] === null) at[k] = {}
      at = at[k] as Record<string, unknown>
    }
    if (!(keys.at(-1)! in at)) at[keys.at(-1)!] = shown
  }
  return out
}

/** The dry run as text. */
export function formatDryRun(d: DryRun, cwd: string): string {
  const out = [
    `Dry run of ${d.pipeline} (${relative(cwd, d.file).startsWith('..') ? d.file : relative(cwd, d.file)}): nothing runs and nothing is recorded.`,
    `Working dir: ${d.workingDir}`,
    `Database:    ${d.db} (only read, for the estimate below)`,
    `Inputs:      ${Object.entries(d.inputs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(none)'}`,
    '',
    d.graph ? `Steps (each starts when the steps it needs have finished; up to ${d.concurrency} at once${d.failFast ? ', failFast' : ''}):` : 'Steps, in order:',
  ]
  const cond = (c: DryStep['if']) => (c ? `  if: ${c.source} → ${c.now === 'run time' ? 'decided at run time' : c.now ? 'runs' : 'skipped'}` : '')
  const show = (s: DryStep, indent: string) => {
    if (s.loop) {
      out.push(`${indent}${s.id}  loop: at most ${s.loop.maxAttempts} attempts, until ${s.loop.until}${cond(s.if)}`)
      if (s.needs) out.push(`${indent}    needs: ${s.needs.length ? s.needs.join(', ') : '(none: starts at once)'}`)
      for (const b of s.loop.steps) show(b, indent + '  ')
      return
    }
    out.push(`${indent}${s.id}  (${s.executor})${cond(s.if)}`)
    if (s.needs) out.push(`${indent}    needs: ${s.needs.length ? s.needs.join(', ') : '(none: starts at once)'}`)
    if (s.forEach) out.push(`${indent}    forEach: ${s.forEach.source} → ${s.forEach.items === 'run time' ? 'items decided at run time' : `${s.forEach.items.length} item${s.forEach.items.length === 1 ? '' : 's'}: ${JSON.stringify(s.forEach.items).slice(0, 200)}`} (at most ${s.forEach.maxItems})`)
    if (s.retry) out.push(`${indent}    ${s.retry}`)
    for (const [k, v] of Object.entries(s.with ?? {})) out.push(`${indent}    ${k}: ${typeof v === 'string' ? v.replace(/\n/g, `\n${indent}      `) : JSON.stringify(v)}`)
    for (const [k, v] of Object.entries(s.tags ?? {})) out.push(`${indent}      ${k}=${JSON.stringify(v)}`)
    if (s.error) out.push(`${indent}    (cannot render: ${s.error})`)
  }
  d.steps.forEach(s => show(s, '  '))
  if (d.refused) out.push('', `The run would be refused before starting: ${d.refused}`)
  return out.join('\n')
}
