import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {checkQueueName} from '../queue/settings.js'

export default class Queue extends AdwCommand {
  static summary = 'Show the run queue: the workers (host:pid, last seen) with the runs each executes, and the queued runs'
  static description = 'Workers come from the queue (PostgreSQL: ADW_QUEUE_URL or the postgres:// store URL): those seen in the last hour, "lost" when one stopped sending signs of life without stopping (killed: its runs are taken over by another worker once their lease expires). Queued runs come from the store (status queued), oldest first.'
  static examples = ['<%= config.bin %> queue', '<%= config.bin %> queue --queue gpu --json']
  static flags = {
    queue: Flags.string({description: 'Only this queue'}),
    json: Flags.boolean({description: 'Print {workers, queued} as JSON'}),
    db: Flags.string({description: 'The store (default: DATABASE_URL, DATABASE_PATH, adw.config.yaml database, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Queue)
    if (flags.queue !== undefined) checkQueueName(flags.queue)
    const {queueView, formatQueue} = await import('../queue/list.js')
    const view = await queueView({db: flags.db, queue: flags.queue})
    this.log(flags.json ? JSON.stringify(view, null, 2) : formatQueue(view))
  }
}
