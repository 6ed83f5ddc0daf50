import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import Mustache from 'mustache'

/** The package's `templates/` folder (two levels above this module in dist/ and in src/). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

/** Turns a value into text that is safe (and means the same value) in the target file. */
export type Escape = (value: string) => string

/** A YAML double-quoted scalar: JSON strings are valid YAML 1.2, so `a: b # c`, quotes and newlines stay a value. */
export const yamlString: Escape = value => JSON.stringify(String(value))

/**
 * A dotenv value as Node's `parseEnv` reads it: plain when harmless, else single quotes, else double
 * quotes (which expand `\n`); always one line, so a value can never start a new variable.
 */
export const envValue: Escape = value => {
  const v = String(value)
  if (/^[\w./:@+,=-]*$/.test(v)) return v
  if (!/['\r\n]/.test(v)) return `'${v}'`
  if (!v.includes('"')) return `"${v.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`
  return JSON.stringify(v)
}

/** A gitignore pattern matching exactly this relative path: wildcards, `#`/`!` at the start and trailing spaces escaped. */
export const gitignorePattern: Escape = value =>
  String(value)
    .replace(/[\\*?[]/g, c => `\\${c}`)
    .replace(/^([#!])/, '\\$1')
    .replace(/ +$/, m => m.replace(/ /g, '\\ '))

type Token = [string, string, number, number, Token[]?]

/**
 * Renders `templates/<name>` with every `{{x}}` passed through `escape` (never HTML escaping).
 * A variable missing from the view is a bug in adw, not an empty string.
 */
export function renderTemplate(name: string, view: object, escape: Escape): string {
  const template = readFileSync(TEMPLATES_DIR + name, 'utf8')
  const missing = variables(Mustache.parse(template) as Token[]).filter(path => typeof lookup(view, path) !== 'string')
  if (missing.length) throw new Error(`template ${name} uses ${missing.join(', ')}, which the scaffold view does not define`)
  return Mustache.render(template, view, {}, {escape})
}

function variables(tokens: Token[]): string[] {
  return tokens.flatMap(t => (t[0] === 'name' || t[0] === '&' || t[0] === '{' ? [t[1]] : t[4] ? variables(t[4]) : []))
}

function lookup(view: object, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o !== null && typeof o === 'object' ? o[k] : undefined), view)
}
