import {Args, Flags} from '@oclif/core'

import {resolveDbPath} from '../config.js'
import {AdwCommand} from '../base-command.js'
import {AdwError} from '../errors.js'
import {showLogs} from '../history/logs.js'
import {LOG_LEVELS, LOG_TYPES} from '../store/values.js'
import type {LogLevel, LogType} from '../plugins/types.js'

export default class Logs extends AdwCommand {
  static summary = "Show a run's log rows"
  static description = `Prints the agent_logs rows of one run (the latest when no id is given) as a table (time, step, level, type, message), or as NDJSON with --json.

--follow keeps printing new rows until the run ends; started before the run exists (or before its database does), it waits for it.`
  static examples = [
    '<%= config.bin %> logs                                  # the latest run',
    '<%= config.bin %> logs feat-42',
    '<%= config.bin %> logs feat-42 --level WARNING --type error',
    '<%= config.bin %> logs feat-42 -f                       # follow; waits for a run that has not started yet',
    '<%= config.bin %> logs feat-42 --json --limit 50',
  ]

  static args = {
    'adw-id': Args.string({description: 'The run to show (default: the latest run)'}),
  }

  static flags = {
    'adw-id': Flags.string({description: 'The run to show, as a flag (same as the argument)'}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new rows until the run is no longer running'}),
    level: Flags.string({description: 'Only this level and above', options: [...LOG_LEVELS]}),
    step: Flags.string({description: 'Only rows of this step id'}),
    type: Flags.string({description: 'Only rows of this log type', options: [...LOG_TYPES]}),
    limit: Flags.integer({description: 'Only the last N matching rows', min: 1}),
    json: Flags.boolean({description: 'One JSON object per row (NDJSON), details parsed'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    if (args['adw-id'] && flags['adw-id'] && args['adw-id'] !== flags['adw-id']) {
      throw new AdwError('USAGE', `Two different runs given: ${args['adw-id']} and --adw-id ${flags['adw-id']}`, {suggestions: [`adw logs ${args['adw-id']}`]})
    }
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    try {
      await showLogs({
        dbPath: await resolveDbPath({db: flags.db}),
        adwId: args['adw-id'] ?? flags['adw-id'],
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
