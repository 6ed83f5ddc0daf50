import {Args, Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {resolveDbPath} from '../../config.js'
import {showRun} from '../../history/run-table.js'

export default class RunsShow extends AdwCommand {
  static summary = "Show one run: its inputs and every step's duration, tokens and cost"
  static description = 'One row per step execution (loop iterations as <step>#<n>, indented inside their loop) with executor, status, duration, model, input/output tokens, cache read/write tokens, cost, and why it was skipped or failed; then the run\'s totals.'
  static examples = ['<%= config.bin %> runs show feat-42', '<%= config.bin %> runs show feat-42 --json']
  static args = {
    'adw-id': Args.string({description: 'The run to show', required: true}),
  }
  static flags = {
    json: Flags.boolean({description: 'Print {run, steps} as JSON (the run without its pipeline snapshot)'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RunsShow)
    await showRun({dbPath: await resolveDbPath({db: flags.db}), adwId: args['adw-id'], json: flags.json, write: text => this.log(text)})
  }
}
