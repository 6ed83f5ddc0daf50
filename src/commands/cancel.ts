import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'
import {cancelRun} from '../control/cancel.js'

export default class Cancel extends AdwCommand {
  static summary = 'Cancel a running run, as Ctrl-C in its terminal would'
  static description =
    'Sends SIGTERM to the adw process driving the run (recorded in the database; it must run on this host) and records the request in the run\'s log. That process stops the running step and its children, records the run as cancelled and exits 130. Waits up to 15 s for it, then prints the status. `adw run --resume` continues the run later.'
  static examples = ['<%= config.bin %> cancel --adw-id feat-42']

  static flags = {
    'adw-id': Flags.string({description: 'The run to cancel', required: true}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Cancel)
    await cancelRun({dbPath: await resolveDbPath({db: flags.db}), adwId: flags['adw-id'], write: line => this.log(line)})
  }
}
