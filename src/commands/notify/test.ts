import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {NOTIFY_EVENTS, type NotifyEvent} from '../../notify/events.js'

export default class NotifyTest extends AdwCommand {
  static summary = 'Send a sample notification to every notify target in adw.config.yaml'
  static description = `Every target gets the sample, whatever its on: list says: webhooks the JSON payload (signed with X-Adw-Signature when it has a secret, retried on 5xx and timeouts), commands the JSON on stdin. Each attempt is printed; exit 1 if a target did not receive it.`
  static examples = ['<%= config.bin %> notify test', '<%= config.bin %> notify test --event run.succeeded', '<%= config.bin %> notify test --json']
  static flags = {
    event: Flags.string({description: 'The event the sample is', options: [...NOTIFY_EVENTS], default: 'run.failed'}),
    json: Flags.boolean({description: 'Print {event, targets: [{target, kind, ok, attempts}]} as JSON'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NotifyTest)
    const {notifyTest} = await import('../../notify/try.js')
    const ok = await notifyTest({event: flags.event as NotifyEvent, json: flags.json, write: line => this.log(line)})
    if (!ok) this.exit(1)
  }
}
