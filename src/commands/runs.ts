import {Flags} from '@oclif/core'

import {resolveDbPath} from '../config.js'
import {AdwCommand} from '../base-command.js'
import {listRuns} from '../history/runs.js'
import {RUN_STATUSES} from '../store/values.js'
import type {RunStatus} from '../store/types.js'

export default class Runs extends AdwCommand {
  static summary = 'List recent runs'
  static description = `Newest first: id, pipeline, status, start time, duration, steps (succeeded/total), tokens (in+out) and cost, and a total line for the runs shown. A run whose process died shows as interrupted.

One run's steps, with their own tokens and cost: adw runs show <adw-id>.`
  static examples = [
    '<%= config.bin %> runs',
    '<%= config.bin %> runs --status failed --limit 5',
    '<%= config.bin %> runs --pipeline plan-build',
    '<%= config.bin %> runs --json               # without each run\'s pipeline snapshot; --full adds it',
    '<%= config.bin %> runs show feat-42',
  ]

  static flags = {
    status: Flags.string({description: 'Only runs with this status', options: [...RUN_STATUSES]}),
    pipeline: Flags.string({description: 'Only runs of this pipeline (its name, as in the PIPELINE column)'}),
    limit: Flags.integer({description: 'How many runs to show', default: 20, min: 1}),
    json: Flags.boolean({description: 'One JSON object per run (NDJSON)'}),
    full: Flags.boolean({description: "With --json: include each run's pipeline snapshot (the pipeline file's text)", dependsOn: ['json']}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Runs)
    await listRuns({
      dbPath: await resolveDbPath({db: flags.db}),
      status: flags.status as RunStatus | undefined,
      pipeline: flags.pipeline,
      limit: flags.limit,
      json: flags.json,
      full: flags.full,
      write: line => this.log(line),
    })
  }
}
