import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {resolveDbPath} from '../../config.js'

export default class DbStatus extends AdwCommand {
  static summary = "Show the store's schema version, pending migrations and row counts"
  static description = `Reads, never changes: where the store is (an SQLite file or a PostgreSQL URL, its password masked), its schema version against this adw's, the migrations still to apply, and the rows in each table.`
  static examples = [
    '<%= config.bin %> db status',
    '<%= config.bin %> db status --db postgres://adw@db.internal/adw',
    '<%= config.bin %> db status --json',
  ]

  static flags = {
    db: Flags.string({description: 'SQLite file or postgres:// URL (default: DATABASE_URL, DATABASE_PATH, adw.config.yaml database.url / database.path, <project root>/.adw/orchestrator.db)'}),
    json: Flags.boolean({description: 'One JSON object: kind, location, exists, version, current, pending, rows'}),
  }

  async run(): Promise<void> {
    const {dbStatus, formatStatus} = await import('../../db/status.js')
    const {flags} = await this.parse(DbStatus)
    const status = await dbStatus(await resolveDbPath({db: flags.db}))
    this.log(flags.json ? JSON.stringify(status) : formatStatus(status).join('\n'))
  }
}
