import {Flags} from '@oclif/core'

import {resolveDbPath} from '../config.js'
import {AdwCommand} from '../base-command.js'
import {showLogs} from '../history/logs.js'
import {LOG_LEVELS, LOG_TYPES} from '../store/values.js'
import type {LogLevel, LogType} from '../plugins/types.js'

export default class Logs extends AdwCommand {
  static summary = "Show a run's log rows"
  static description = 'Prints the agent_logs rows of one run as a table (time, step, level, type, message), or as NDJSON with --json. --follow keeps printing new rows until the run ends.'
  static examples = [
    '<%= config.bin %> logs --adw-id a1b2c3d4',
    '<%= config.bin %> logs --adw-id a1b2c3d4 --level WARNING --type error',
    '<%= config.bin %> logs --adw-id a1b2c3d4 --follow',
    '<%= config.bin %> logs --adw-id a1b2c3d4 --json --limit 50',
  ]

  static flags = {
    'adw-id': Flags.string({description: 'The run to show', required: true}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new rows until the run is no longer running'}),
    level: Flags.string({description: 'Only this level and above', options: [...LOG_LEVELS]}),
    step: Flags.string({description: 'Only rows of this step id'}),
    type: Flags.string({description: 'Only rows of this log type', options: [...LOG_TYPES]}),
    limit: Flags.integer({description: 'Only the last N matching rows', min: 1}),
    json: Flags.boolean({description: 'One JSON object per row (NDJSON), details parsed'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Logs)
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    try {
      await showLogs({
        dbPath: await resolveDbPath({db: flags.db}),
        adwId: flags['adw-id'],
        level: flags.level as LogLevel | undefined,
        step: flags.step,
        type: flags.type as LogType | undefined,
        limit: flags.limit,
        json: flags.json,
        follow: flags.follow,
        columns: process.stdout.isTTY ? process.stdout.columns : undefined,
        write: line => this.log(line),
        note: line => this.logToStderr(line),
        signal: abort.signal,
      })
    } finally {
      process.off('SIGINT', stop)
    }
  }
}
