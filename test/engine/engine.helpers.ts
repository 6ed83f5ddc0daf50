import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {adw, tmpDir, type CliResult} from '../helpers/cli.js'

/** A temp project with `p.yaml` holding `yaml`; runs `adw run p.yaml` in it with a db inside. */
export async function runYaml(yaml: string, args: string[] = [], files: Record<string, string> = {}): Promise<CliResult & {dir: string; db: string}> {
  const dir = tmpDir({'p.yaml': yaml, ...files})
  const db = join(dir, 'adw.db')
  const r = await adw(['run', 'p.yaml', '--db', db, ...args], {cwd: dir})
  return {...r, dir, db}
}

export function rows(db: string, sql: string, ...params: (string | number)[]): Record<string, any>[] {
  const d = new DatabaseSync(db, {readOnly: true})
  try {
    return d.prepare(sql).all(...params) as Record<string, any>[]
  } finally {
    d.close()
  }
}

/** `sqlite3 <db> <sql>` exactly as a user would type it. */
export function sqlite3(db: string, sql: string): string {
  return execFileSync('sqlite3', [db, sql], {encoding: 'utf8'})
}

export const stepRuns = (db: string) => rows(db, 'SELECT step_id, iteration, status FROM steps ORDER BY id').map(r => `${r.step_id}#${r.iteration}:${r.status}`)
