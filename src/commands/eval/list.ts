import {Flags} from '@oclif/core'
import {AdwCommand} from '../../base-command.js'

export default class EvalList extends AdwCommand {
  static summary = 'List the evals recorded: id, suite, status, trials passed, cost'
  static examples = ['<%= config.bin %> eval list', '<%= config.bin %> eval list --json']
  static flags = {
    json: Flags.boolean({description: 'Print the list as JSON'}),
    limit: Flags.integer({description: 'At most this many, newest first', default: 20, min: 1}),
    db: Flags.string({description: 'SQLite file (over DATABASE_PATH and adw.config.yaml)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EvalList)
    const {listEvals} = await import('../../eval/list.js')
    const out = await listEvals({db: flags.db, limit: flags.limit, json: flags.json})
    this.log(out)
  }
}
