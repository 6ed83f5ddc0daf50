import {Args, Flags} from '@oclif/core'
import {relative} from 'node:path'
import {AdwCommand} from '../base-command.js'
import {table} from '../history/format.js'
import {scaffold} from '../scaffold/index.js'

export default class Scaffold extends AdwCommand {
  static summary = 'Create a project with the seed pipelines, adw.config.yaml, .env.example and a .gitignore entry'
  static description = `Writes into <dir> (created if missing): pipelines/plan-build.yaml, plan-build-review.yaml, plan-build-review-fix.yaml and plan-build-parallel-review.yaml (the package's own pipelines) with pipelines/pipeline.schema.json for editors, adw.config.yaml (read by adw run in that directory), .env.example, and the database lines in .gitignore.

--with-eval also writes the starter evaluation suite: evals/suite.yaml (three small tasks) and the tiny project it works on (evals/eval/fixture), so adw eval evals/suite.yaml measures the pipelines at once (README "Measuring your pipelines").

Create-only: an existing file is left untouched and reported as skipped; --force overwrites it (.gitignore only ever gets its missing lines). --dry-run prints the same plan and writes nothing.

--config is a YAML file with every key of adw.config.yaml: project.name, database.path, agent_sdk.model, logging.level (DEBUG, INFO, WARNING, ERROR). A bad or missing value exits with code 2 at FILE:LINE:COL and nothing is written. Without --config: the folder name, orchestrator.db, the agent's default model and INFO.`
  static examples = [
    '<%= config.bin %> scaffold ../new-project',
    '<%= config.bin %> scaffold ../new-project --config config.yaml --dry-run',
    '<%= config.bin %> scaffold . --force --json',
    '<%= config.bin %> scaffold ../new-project --with-eval        # and evals/suite.yaml: adw eval evals/suite.yaml',
  ]
  static args = {
    dir: Args.string({description: 'Project directory (created if missing)', required: true}),
  }
  static flags = {
    config: Flags.string({char: 'c', description: 'YAML file with project.name, database.path, agent_sdk.model, logging.level'}),
    force: Flags.boolean({description: 'Overwrite files that exist'}),
    'dry-run': Flags.boolean({description: 'Print the plan, write nothing'}),
    'with-eval': Flags.boolean({description: 'Also write the starter evaluation suite (evals/suite.yaml and its fixture project)'}),
    json: Flags.boolean({description: 'Print {dir, dryRun, config, files: [{path, action, reason}]} as JSON'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Scaffold)
    const dryRun = flags['dry-run'] ?? false
    const result = await scaffold({dir: args.dir, config: flags.config, force: flags.force, dryRun, withEval: flags['with-eval']})
    const files = result.files.map(({path, action, reason}) => ({path, action, ...(reason ? {reason} : {})}))
    if (flags.json) {
      this.log(JSON.stringify({dir: result.dir, dryRun, config: result.config, files}, null, 2))
      return
    }
    const where = relative(process.cwd(), result.dir) || '.'
    this.log(dryRun ? `Dry run: nothing written. Plan for ${where}:\n` : `Scaffolded ${where}:\n`)
    for (const line of table(['ACTION', 'PATH', 'NOTE'], files.map(f => [dryRun ? f.action : done(f.action), f.path, f.reason ?? '']))) this.log(line.trimEnd())
    if (!dryRun && files.some(f => f.action !== 'skip')) {
      const cd = where === '.' ? '' : `cd ${/^[\w./-]+$/.test(where) ? where : JSON.stringify(where)} && `
      this.log(`\nNext: ${cd}cp .env.example .env (set ANTHROPIC_API_KEY), then: adw run plan-build --prompt "..."`)
      this.log(flags['with-eval'] ? 'Measure the pipelines: adw eval evals/suite.yaml' : `Measure the pipelines on a starter suite: adw scaffold ${where} --with-eval, then adw eval evals/suite.yaml`)
    }
  }
}

/** Past tense once applied: created, overwritten, updated, skipped. */
function done(action: string): string {
  return {create: 'created', overwrite: 'overwritten', update: 'updated', skip: 'skipped'}[action] ?? action
}
