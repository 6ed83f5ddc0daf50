/** ajv's errors on a suite file as located, readable messages (the pipeline's mapper speaks of steps). */
import type {ErrorObject} from 'ajv'
import {closest} from '../pipeline/suggest.js'
import type {PathSegment, SourceFile} from '../pipeline/source.js'

const toPath = (instancePath: string): PathSegment[] =>
  instancePath
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map(s => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map(s => (/^\d+$/.test(s) ? Number(s) : s))

const TYPE_NAMES: Record<string, string> = {object: 'a mapping', array: 'a list', integer: 'an integer', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null'}
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v)
const shorten = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/** `check 2 of case "greet"`, `case "greet"`, `the suite`, with the field inside it. */
export function describeSuitePath(path: PathSegment[], data: any): string {
  let subject = 'the suite'
  let field: PathSegment[] = []
  let node = data
  for (let i = 0; i < path.length; i++) {
    node = node?.[path[i]]
    if (path[i - 1] === 'cases' && typeof path[i] === 'number') {
      subject = typeof node?.id === 'string' ? `case "${node.id}"` : `case ${Number(path[i]) + 1}`
      field = []
    } else if (path[i - 1] === 'checks' && typeof path[i] === 'number') {
      subject = `check ${Number(path[i]) + 1} of ${subject}`
      field = []
    } else if (path[i] !== 'cases' && path[i] !== 'checks') field.push(path[i])
    else field = [path[i]]
  }
  return field.length ? `${field.join('.')} of ${subject}` : subject
}

/** Reports each ajv error once, at the YAML node it is about. */
export function reportSuiteErrors(src: SourceFile, errors: ErrorObject[], data: unknown): void {
  for (const e of errors) {
    const path = toPath(e.instancePath)
    const where = describeSuitePath(path, data)
    const props = Object.keys((e.parentSchema as any)?.properties ?? {})
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty)
        const near = closest(key, props)
        src.reportAt(src.keyAt(path, key) ?? src.nodeAt(path), `Unknown key "${key}" in ${where}${near.length ? `: did you mean "${near[0]}"?` : '.'} Allowed: ${props.join(', ')}`)
        break
      }
      case 'required':
        src.reportAt(src.nodeAt(path), `Missing required key "${e.params.missingProperty}" in ${where}`)
        break
      case 'type':
        src.reportAt(src.nodeAt(path), `${where} must be ${String(e.params.type).split(',').map(t => TYPE_NAMES[t] ?? t).join(' or ')}, got ${typeName(e.data)} ${shorten(e.data)}`)
        break
      case 'pattern':
        src.reportAt(src.nodeAt(path), `${where} ${shorten(e.data)} is not valid: ${(e.parentSchema as any)?.description ?? `it must match ${e.params.pattern}`}`)
        break
      case 'minItems':
        src.reportAt(src.nodeAt(path), `${where} must list at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`)
        break
      case 'minProperties':
        src.reportAt(src.nodeAt(path), `${where} is empty: give run:, file: or judge:`)
        break
      default:
        src.reportAt(src.nodeAt(path), `${where} ${e.message ?? 'is not valid'}, got ${shorten(e.data)}`)
    }
  }
}
