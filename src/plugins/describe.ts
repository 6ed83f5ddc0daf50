import {qualifiedName, type ExecutorRegistry} from './registry.js'
import type {JsonSchema, StepExecutor} from './types.js'

/** One option of an executor's `with:` block, as `adw executors` shows it. */
export interface OptionInfo {
  name: string
  /** JSON Schema type(s), `a|b` for unions, `enum` values quoted, `any` when unspecified. */
  type: string
  required: boolean
  description?: string
  default?: unknown
}

/** One executor, as `adw executors --json` prints it. */
export interface ExecutorInfo {
  name: string
  /** 'built-in', the plugin's package name, or 'local (<path>)'. */
  source: string
  /** The name that always picks this one: `adw/shell`, `adw-plugin-example/word-count`, a local module's absolute path. */
  qualifiedName: string
  description?: string
  options: OptionInfo[]
  /** The outputs it declares (StepExecutor.outputs); 'depends on with:' when a function gives them; absent when undeclared. */
  outputs?: Array<{name: string; type: string; description?: string}> | 'depends on with:'
  /** Other sources providing the same name: `uses: <name>` is then an error, use the qualified name. */
  conflictsWith?: string[]
}

function typeOf(schema: Record<string, any>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v: unknown) => JSON.stringify(v)).join('|')
  if ('const' in schema) return JSON.stringify(schema.const)
  if (Array.isArray(schema.type)) return schema.type.join('|')
  if (typeof schema.type === 'string') return schema.type === 'array' && typeof schema.items?.type === 'string' ? `${schema.items.type}[]` : schema.type
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key])) return schema[key].map((s: Record<string, any>) => typeOf(s ?? {})).join('|')
  }
  return 'any'
}

/** The options declared by a `with:` schema: its top-level properties. */
export function describeOptions(schema: JsonSchema | undefined): OptionInfo[] {
  const props = (schema?.properties ?? {}) as Record<string, Record<string, any>>
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : [])
  return Object.entries(props).map(([name, s]) => ({
    name,
    type: typeOf(s ?? {}),
    required: required.has(name),
    ...(typeof s?.description === 'string' ? {description: s.description} : {}),
    ...(s?.default === undefined ? {} : {default: s.default}),
  }))
}

/** Every executor of the registry with its source and options, in registry order. */
export function describeExecutors(registry: ExecutorRegistry): ExecutorInfo[] {
  const list = registry.list()
  return list.map(e => {
    const others = list.filter(o => o !== e && o.executor.name === e.executor.name).map(o => o.source)
    return {
      name: e.executor.name,
      source: e.source,
      qualifiedName: e.path ?? qualifiedName(e),
      ...(e.executor.description ? {description: e.executor.description} : {}),
      options: describeOptions(e.executor.schema),
      ...outputsOf(e.executor.outputs),
      ...(others.length > 0 ? {conflictsWith: others} : {}),
    }
  })
}

function outputsOf(outputs: StepExecutor['outputs']): Pick<ExecutorInfo, 'outputs'> {
  if (typeof outputs === 'function') return {outputs: 'depends on with:'}
  if (!outputs || typeof outputs !== 'object') return {}
  return {outputs: Object.entries(outputs).map(([name, d]) => ({name, type: String(d?.type ?? 'dyn'), ...(d?.description ? {description: d.description} : {})}))}
}

/** The human-readable listing of `adw executors`. */
export function formatExecutors(infos: ExecutorInfo[]): string {
  return infos
    .map(e => {
      const lines = [`${e.name}  ${e.source.endsWith(')') ? e.source : `(${e.source})`}`]
      if (e.description) lines.push(`  ${e.description}`)
      if (e.conflictsWith) lines.push(`  ! also provided by ${e.conflictsWith.join(', ')}: write uses: ${e.qualifiedName} to pick this one`)
      if (e.outputs === 'depends on with:') lines.push("  outputs: depend on the step's with:")
      else if (e.outputs) lines.push(`  outputs: ${e.outputs.map(o => `${o.name} (${o.type})`).join(', ') || 'none'}`)
      if (e.options.length === 0) lines.push('  options: none')
      const nameW = Math.max(0, ...e.options.map(o => o.name.length))
      const typeW = Math.max(0, ...e.options.map(o => o.type.length))
      for (const o of e.options) {
        const extra = [o.description, o.default === undefined ? '' : `(default ${JSON.stringify(o.default)})`].filter(Boolean).join(' ')
        lines.push(`  ${o.name.padEnd(nameW)}  ${o.type.padEnd(typeW)}  ${o.required ? 'required' : '        '}  ${extra}`.trimEnd())
      }
      return lines.join('\n')
    })
    .join('\n\n')
}
