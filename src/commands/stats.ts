import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'
import {showStats} from '../history/stats-report.js'

export default class Stats extends AdwCommand {
  static summary = 'Cost and quality over time'
  static description =
    'Cost and tokens per day, pipeline, model and step; how often the review passed on the first try; how many fix-loop iterations runs needed; the median duration of each step. The same figures as the cost page of `adw ui`.'
  static examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --days 7', '<%= config.bin %> stats --json']

  static flags = {
    days: Flags.integer({description: 'Only runs started in the last N days (UTC, today included)', min: 1}),
    json: Flags.boolean({description: 'Print the figures as one JSON object'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Stats)
    await showStats({dbPath: await resolveDbPath({db: flags.db}), days: flags.days, json: flags.json, write: lines => this.log(lines)})
  }
}
