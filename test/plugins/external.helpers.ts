import {execa} from 'execa'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {adw, ROOT, type CliResult} from '../helpers/cli.js'

/** The example plugin package shipped in the repository. */
export const EXAMPLE_PLUGIN = join(ROOT, 'examples/adw-plugin-example')

/**
 * `adw` with its own XDG data/config/cache dirs, so plugins linked or installed by one test file
 * never load in another (nor the user's own).
 */
export function isolatedAdw(): (args: string[], opts?: {cwd?: string; env?: Record<string, string | undefined>}) => Promise<CliResult> {
  const base = mkdtempSync(join(tmpdir(), 'adw-xdg-plugins-'))
  const xdg = {XDG_DATA_HOME: join(base, 'data'), XDG_CONFIG_HOME: join(base, 'config'), XDG_CACHE_HOME: join(base, 'cache')}
  return (args, opts = {}) => adw(args, {cwd: opts.cwd, env: {...xdg, ...opts.env}, timeout: 120_000})
}

/** A minimal plugin package: package.json declaring the hook, and the hook module's source. */
export function pluginFiles(name: string, hookSource: string): Record<string, string> {
  return {
    [`${name}/package.json`]: JSON.stringify({name, version: '0.0.1', type: 'module', oclif: {hooks: {'adw:executors': './hook.js'}}}),
    [`${name}/hook.js`]: hookSource,
  }
}

/** `npm pack` of a folder into `dest`; returns the tarball's absolute path. */
export async function npmPack(dir: string, dest: string): Promise<string> {
  const r = await execa(join(ROOT, 'node_modules/.bin/npm'), ['pack', '--pack-destination', dest, '--ignore-scripts', '--json', '--silent'], {cwd: dir})
  return join(dest, JSON.parse(r.stdout)[0].filename)
}

/** An executor, as the source of a JS object literal, with a `with:` schema. */
export const echoExecutor = (name: string, extra = '') => `{
  name: '${name}',
  description: 'echoes ${name}',
  schema: {type: 'object', additionalProperties: false, properties: {msg: {type: 'string'}}},
  async run(o) { ${extra} return {outputs: {from: '${name}', msg: o.msg ?? ''}} },
}`
