import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'

export default class Ui extends AdwCommand {
  static summary = 'Serve a live web dashboard of runs, steps, logs and cost'
  static description = `One process serves a JSON API over the database and a page (bundled with adw, works offline): runs with live status and filters, a run's steps and streaming log rows, the plan, cost and quality over time. Its actions: approve or reject a run waiting at an approval gate (as adw approve/reject; then the run continues), cancel a running run (as adw cancel).

By default it listens on 127.0.0.1 only. Any other --host needs a token: one is drawn and printed with the URL (or pass --token / ADW_UI_TOKEN); every request must carry it. Stop with Ctrl-C.`
  static examples = ['<%= config.bin %> ui', '<%= config.bin %> ui --port 8080 --open', '<%= config.bin %> ui --host 0.0.0.0   # prints http://0.0.0.0:4400/?token=…']

  static flags = {
    port: Flags.integer({description: 'Port to listen on (0: any free port)', default: 4400, min: 0, max: 65535}),
    host: Flags.string({description: 'Address to listen on; anything but loopback requires a token', default: '127.0.0.1'}),
    token: Flags.string({description: 'Token every request must carry (at least 16 characters); default: random when --host is not loopback', env: 'ADW_UI_TOKEN'}),
    open: Flags.boolean({description: "Open the page in this machine's browser"}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Ui)
    const dbPath = await resolveDbPath({db: flags.db})
    // Loaded here, not at the top: the server and its libraries stay out of every other command's start.
    const {startDashboard, openBrowser} = await import('../dashboard/server.js')
    const dashboard = await startDashboard({dbPath, port: flags.port, host: flags.host, token: flags.token, version: this.config.version})
    const warning = dashboard.token && !flags.token ? '\nThe token is in the URL above; anyone with it can read every run in this database.' : ''
    this.log(`adw ui: ${dashboard.url}  (database ${dbPath}; Ctrl-C to stop)${warning}`)
    if (flags.open) openBrowser(dashboard.url)
    await new Promise<void>(resolve => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await dashboard.close()
  }
}
