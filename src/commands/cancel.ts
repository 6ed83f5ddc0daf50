import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'
import {cancelRun} from '../control/cancel.js'

export default class Cancel extends AdwCommand {
  static summary = 'Cancel a running run, as Ctrl-C in its terminal would'
  static description =
    "Records a cancel request on the run in the store: the process driving it sees it on its next heartbeat (within 5 s), wherever it runs (another machine, an adw worker), stops the running step and its children and records the run as cancelled. A plain adw run on this host also gets SIGTERM, which stops it at once (it exits 130). A queued run that no worker has taken yet is cancelled at once. Waits up to 15 s for the run to stop, then prints its status. `adw run --resume` continues the run later.\n"
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
