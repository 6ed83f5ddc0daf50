import {join} from 'node:path'
import {adw, tmpDir, type CliResult} from '../helpers/cli.js'

/** A temp project with `p.yaml` holding `yaml`; runs `adw run p.yaml` in it with a db inside. */
export async function runYaml(yaml: string, args: string[] = [], files: Record<string, string> = {}, env?: Record<string, string>): Promise<CliResult & {dir: string; db: string}> {
  const dir = tmpDir({'p.yaml': yaml, ...files})
  const db = join(dir, 'adw.db')
  const r = await adw(['run', 'p.yaml', '--db', db, ...args], {cwd: dir, env})
  return {...r, dir, db}
}

export {rows, sqlite3, stepRuns} from '../helpers/db.js'
