import {readFileSync} from 'node:fs'
import {SCHEMA_PATH} from '../pipeline/schema.js'
import {PACKAGE_ROOT} from '../engine/start.js'
import {join} from 'node:path'

/** The seed pipelines `adw scaffold` copies from the package's own pipelines/. */
export const SEED_PIPELINES = ['plan-build', 'plan-build-review', 'plan-build-review-fix', 'plan-build-review-fix-pr', 'plan-build-parallel-review'] as const

/** The editor line of a scaffolded pipeline: the schema is written next to it, so it works offline and without node_modules. */
export const SCHEMA_LINE = '# yaml-language-server: $schema=./pipeline.schema.json'

/**
 * The package's pipeline `name` as the project gets it: the same text, with the `$schema` line
 * pointing at the `pipeline.schema.json` scaffolded beside it. One source of truth: nothing else
 * changes, so `adw run` behaves the same with either copy. The model is not baked in: the project's
 * `adw.config.yaml` (agent_sdk.model) supplies it, and `--model` / `AGENT_MODEL` still override it.
 */
export function renderPipeline(name: string): string {
  const source = readFileSync(join(PACKAGE_ROOT, 'pipelines', `${name}.yaml`), 'utf8')
  const lines = source.split('\n')
  if (/^#\s*yaml-language-server:\s*\$schema=/.test(lines[0])) lines[0] = SCHEMA_LINE
  else lines.unshift(SCHEMA_LINE)
  return lines.join('\n')
}

/** The pipeline JSON Schema exactly as the package ships it. */
export function renderSchema(): string {
  return readFileSync(SCHEMA_PATH, 'utf8')
}
