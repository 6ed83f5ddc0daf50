import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../../base-command.js'

export default class EvalCompare extends AdwCommand {
  static summary = 'Compare two evals: pass rates with Fisher\'s exact test, cost per success and duration per variant, and the cases that changed'
  static description = 'Variants (pipeline · model) with the same label are paired; two evals of one variant each are paired whatever their labels (the same suite before and after a change).'
  static examples = ['<%= config.bin %> eval compare eval-1a2b3c4d eval-5e6f7a8b', '<%= config.bin %> eval compare eval-1a2b3c4d eval-5e6f7a8b --json']
  static args = {
    a: Args.string({description: 'The eval to compare from (the baseline)', required: true}),
    b: Args.string({description: 'The eval to compare with it', required: true}),
  }
  static flags = {
    json: Flags.boolean({description: 'Print the comparison as JSON'}),
    db: Flags.string({description: 'SQLite file (over DATABASE_PATH and adw.config.yaml)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EvalCompare)
    const {compareEvals, renderComparison} = await import('../../eval/compare.js')
    const c = await compareEvals({a: args.a, b: args.b, db: flags.db})
    this.log(flags.json ? JSON.stringify(c, null, 2) : renderComparison(c))
  }
}
