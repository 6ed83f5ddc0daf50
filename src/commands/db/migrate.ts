import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {resolveDbPath} from '../../config.js'

export default class DbMigrate extends AdwCommand {
  static summary = "Bring the store's schema to this adw's version"
  static description = `Creates the tables (an SQLite file, or adw's tables in a PostgreSQL database and schema) or applies the pending migrations, in one transaction. adw does this by itself on first use; run it ahead to upgrade a shared database at a chosen time. Two processes migrating at once apply each migration once.`
  static examples = [
    '<%= config.bin %> db migrate',
    '<%= config.bin %> db migrate --db postgres://adw@db.internal/adw',
    '<%= config.bin %> db migrate --db "postgres://adw@db.internal/shared?schema=adw"',
  ]

  static flags = {
    db: Flags.string({description: 'SQLite file or postgres:// URL (default: DATABASE_URL, DATABASE_PATH, adw.config.yaml database.url / database.path, <project root>/.adw/orchestrator.db)'}),
    json: Flags.boolean({description: 'One JSON object: location, from, to, applied'}),
  }

  async run(): Promise<void> {
    const {dbMigrate} = await import('../../db/status.js')
    const {flags} = await this.parse(DbMigrate)
    const {before, after} = await dbMigrate(await resolveDbPath({db: flags.db}))
    const applied = before.pending.filter(v => v <= after.version)
    if (flags.json) return this.log(JSON.stringify({location: after.location, from: before.version, to: after.version, applied}))
    this.log(applied.length ? `${after.location}: schema version ${before.version} → ${after.version} (applied ${applied.join(', ')})` : `${after.location}: schema version ${after.version}, up to date; nothing to do`)
  }
}
