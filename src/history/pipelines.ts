import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {basename, join, relative} from 'node:path'
import {PACKAGE_ROOT} from '../engine/start.js'
import {forEachLabel, needsLabel, retryLabel, scheduleLine, usesNeeds} from '../pipeline/describe.js'
import type {ActionStep, Pipeline} from '../pipeline/types.js'
import {table, truncate} from './format.js'

/** A pipeline `adw run <name>` can start, as `adw pipelines` lists it. */
export interface PipelineInfo {
  /** The bare name: the file name without .yaml. */
  name: string
  source: 'local' | 'built-in'
  file: string
  description?: string
  inputs: Array<{name: string; type?: string; required: boolean; description?: string}>
  /** A local file of the same name hides this built-in. */
  shadowed?: boolean
  /** The file does not parse as YAML (adw validate says why). */
  invalid?: boolean
}

/** The project's pipelines/*.yaml, then the built-in ones; read as YAML only (adw validate does the checks). */
export async function listPipelines(root: string): Promise<PipelineInfo[]> {
  const {parse} = (await import('yaml')).default
  const read = (dir: string, source: PipelineInfo['source']): PipelineInfo[] =>
    (existsSync(dir) ? readdirSync(dir).filter(f => /\.ya?ml$/.test(f)) : []).map(f => {
      const file = join(dir, f)
      const info: PipelineInfo = {name: basename(f).replace(/\.ya?ml$/, ''), source, file, inputs: []}
      try {
        const doc = parse(readFileSync(file, 'utf8')) as {description?: unknown; inputs?: Record<string, {type?: string; required?: boolean; description?: string}>}
        if (typeof doc?.description === 'string') info.description = doc.description
        for (const [name, def] of Object.entries(doc?.inputs ?? {})) info.inputs.push({name, type: def?.type, required: def?.required === true, description: def?.description})
      } catch {
        info.invalid = true
      }
      return info
    }).sort((a, b) => (a.name < b.name ? -1 : 1))
  const local = read(join(root, 'pipelines'), 'local')
  const builtin = read(join(PACKAGE_ROOT, 'pipelines'), 'built-in').map(p => (local.some(l => l.name === p.name) ? {...p, shadowed: true} : p))
  return [...local, ...builtin]
}

/** The table of `adw pipelines`: required inputs are marked with `*`. */
export function formatPipelines(list: PipelineInfo[], cwd: string): string {
  if (list.length === 0) return 'No pipelines.'
  const rows = list.map(p => [
    p.name,
    p.source === 'local' ? relative(cwd, p.file) || p.file : p.shadowed ? 'built-in (hidden by the local one)' : 'built-in',
    p.inputs.map(i => `${i.name}${i.required ? '*' : ''}`).join(', ') || '-',
    p.invalid ? '(does not parse: adw validate ' + p.name + ')' : truncate(p.description ?? '', 70),
  ])
  return [...table(['NAME', 'SOURCE', 'INPUTS', 'DESCRIPTION'], rows).map(l => l.trimEnd()), '', '* required input. Details: adw pipelines show <name>'].join('\n')
}

/** `adw pipelines show`: what a pipeline takes and the steps it runs. */
export function formatPipeline(p: Pipeline, cwd: string): string {
  const out = [`${p.name}${p.description ? ` — ${p.description}` : ''}`, `File: ${relative(cwd, p.file) || p.file}`, '']
  const inputs = Object.entries(p.inputs)
  if (inputs.length === 0) out.push('Inputs: none')
  else {
    out.push('Inputs:')
    const rows = inputs.map(([name, d]) => [`  ${name}`, d.type, d.required ? 'required' : d.default !== undefined ? `default ${JSON.stringify(d.default)}` : 'optional', d.description ?? ''])
    out.push(...table(['  NAME', 'TYPE', '', 'DESCRIPTION'], rows).map(l => l.trimEnd()))
  }
  out.push('', 'Steps:')
  // NEEDS only when a step has needs: written; a pipeline that runs top to bottom reads as before.
  const needs = usesNeeds(p)
  const rows: string[][] = []
  const when = (s: ActionStep) => [s.if ? `if: ${s.if.source}` : '', forEachLabel(s), retryLabel(s.retry), s.continueOnError ? 'continueOnError' : ''].filter(Boolean).join('; ')
  for (const s of p.steps) {
    const cond = s.if ? `if: ${s.if.source}` : ''
    if (s.kind === 'loop') {
      rows.push([`  ${s.id}`, 'loop', ...(needs ? [needsLabel(s)] : []), `${cond}${cond ? '; ' : ''}at most ${s.maxAttempts} attempts until ${s.until.source} (then ${s.onExhausted})`])
      for (const c of s.steps) rows.push([`    ${c.id}`, c.uses, ...(needs ? [needsLabel(c)] : []), when(c)])
    } else rows.push([`  ${s.id}`, s.uses, ...(needs ? [needsLabel(s)] : []), when(s)])
  }
  out.push(...table(['  STEP', 'USES', ...(needs ? ['NEEDS'] : []), 'WHEN'], rows).map(l => l.trimEnd()))
  const schedule = scheduleLine(p)
  if (schedule) out.push('', schedule)
  const required = inputs.filter(([, d]) => d.required).map(([n]) => (n === 'prompt' ? '--prompt "..."' : `--input ${n}=...`))
  out.push('', `Run it: adw run ${basename(p.file).replace(/\.ya?ml$/, '')}${required.length ? ' ' + required.join(' ') : ''}`)
  return out.join('\n')
}
