import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {stringify} from 'yaml'
import {adw, type CliResult} from '../helpers/cli.js'

/** The seed pipelines a scaffolded project gets. */
export const PIPELINES = ['plan-build', 'plan-build-review', 'plan-build-review-fix', 'plan-build-review-fix-pr', 'plan-build-parallel-review']

/** Every file the scaffold writes, as the JSON plan lists them. */
export const FILES = [
  ...PIPELINES.map(p => `pipelines/${p}.yaml`),
  'pipelines/pipeline.schema.json',
  'adw.config.yaml',
  '.env.example',
  '.gitignore',
]

/** A config file's text with every key, `over` replacing sections. */
export function configYaml(over: Record<string, unknown> = {}): string {
  return stringify({
    project: {name: 'demo'},
    database: {path: 'data/orchestrator.db'},
    agent_sdk: {model: 'claude-test-model-1'},
    logging: {level: 'INFO'},
    ...over,
  })
}

/** `adw scaffold <args> --json` parsed, with the raw result for failures. */
export async function scaffoldJson(args: string[], cwd?: string): Promise<CliResult & {plan: any}> {
  const r = await adw(['scaffold', ...args, '--json'], {cwd})
  let plan: any
  try {
    plan = JSON.parse(r.stdout)
  } catch {
    plan = undefined
  }
  return {...r, plan}
}

/** `{path: action}` of a JSON plan. */
export function actions(plan: any): Record<string, string> {
  return Object.fromEntries(plan.files.map((f: any) => [f.path, f.action]))
}

/** Every file under `dir` with its content (a snapshot to prove nothing changed). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!existsSync(dir)) return out
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out[relative(dir, p)] = readFileSync(p, 'utf8')
    }
  }
  walk(dir)
  return out
}
