import {Flags} from '@oclif/core'

import {resolveDbPath} from '../config.js'
import {AdwCommand} from '../base-command.js'
import {listRuns} from '../history/runs.js'
import {RUN_STATUSES} from '../store/values.js'
import type {RunStatus} from '../store/types.js'

export default class Runs extends AdwCommand {
  static summary = 'List recent runs'
  static description = 'Newest first: id, pipeline, status, start time, duration, steps (succeeded/total), tokens (in+out) and cost. A run whose process died shows as interrupted.'
  static examples = ['<%= config.bin %> runs', '<%= config.bin %> runs --status failed --limit 5', '<%= config.bin %> runs --json']

  static flags = {
    status: Flags.string({description: 'Only runs with this status', options: [...RUN_STATUSES]}),
    limit: Flags.integer({description: 'How many runs to show', default: 20, min: 1}),
    json: Flags.boolean({description: 'One JSON object per run (NDJSON)'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Runs)
    listRuns({
      dbPath: await resolveDbPath({db: flags.db}),
      status: flags.status as RunStatus | undefined,
      limit: flags.limit,
      json: flags.json,
      write: line => this.log(line),
    })
  }
}
