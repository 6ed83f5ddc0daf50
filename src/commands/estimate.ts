import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {forecast, formatEstimate} from '../budget/forecast.js'
import {loadRegistry} from '../plugins/registry.js'

export default class Estimate extends AdwCommand {
  static summary = 'Forecast the cost and duration of a pipeline from the runs recorded before'
  static description = `Per step and per model: the median and the 90th percentile of cost, duration and tokens of the step's earlier successful runs in this pipeline (a loop's steps count as often as the loop usually iterated), and a total. A step never run before shows "no history". Nothing runs and nothing is written.

With --model, agent steps without a model of their own are priced at that model's price (from the tokens of the history when it has no runs of its own). adw run --dry-run shows the same estimate.`
  static examples = [
    '<%= config.bin %> estimate plan-build-review-fix',
    '<%= config.bin %> estimate pipelines/my.yaml --model claude-opus-5',
    '<%= config.bin %> estimate plan-build --json',
  ]
  static args = {
    pipeline: Args.string({description: 'Pipeline file or bare name, as adw run takes it', required: true}),
  }
  static flags = {
    model: Flags.string({char: 'm', description: 'Estimate as if agent steps used this model (as adw run --model)'}),
    json: Flags.boolean({description: 'Print the estimate as one JSON object'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Estimate)
    const {estimate} = await forecast({pipeline: args.pipeline, model: flags.model, db: flags.db, registry: await loadRegistry(this.config)})
    this.log(flags.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate))
  }
}
