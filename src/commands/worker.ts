import {Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'
import {checkQueueName, DEFAULT_QUEUE} from '../queue/settings.js'

export default class Worker extends AdwCommand {
  static summary = 'Execute queued runs (adw run --queue) from the PostgreSQL run queue, on this machine'
  static description = `Pulls run jobs from the queue (pg-boss on PostgreSQL: ADW_QUEUE_URL, or the postgres:// store URL) and executes each in its own child process, at most --concurrency at once. Runs record into the store the worker is given (--db, DATABASE_URL, DATABASE_PATH, adw.config.yaml), which must be the one the runs were queued in.

Working directory: with --working-dir every run works in that folder (this worker's checkout of the repository); without it, a run works in the folder it was queued from (a shared file system, or one machine).

Leases: the worker sends a heartbeat for each job it holds. A worker killed with -9 stops heartbeating; after ADW_QUEUE_HEARTBEAT_SECONDS (default 30) another worker takes the job and resumes the run where it stopped, finished steps reused. A run is never executed by two processes at once.

SIGTERM or Ctrl-C: takes no more runs, lets the running ones finish for up to --grace seconds, then hands the rest back (recorded interrupted, continued by another worker) and exits 0. A second signal hands back at once.`
  static examples = [
    '<%= config.bin %> worker',
    '<%= config.bin %> worker --queue gpu --concurrency 4 --working-dir /srv/checkout',
    'ADW_QUEUE_URL=postgres://adw@db:5432/adw <%= config.bin %> worker --json',
  ]
  static flags = {
    queue: Flags.string({description: 'The queue to take runs from', default: DEFAULT_QUEUE}),
    concurrency: Flags.integer({char: 'c', description: 'Most runs executing at once', default: 1, min: 1, max: 100}),
    'working-dir': Flags.string({char: 'w', description: "Every run works in this folder (this worker's checkout) [default: the folder each run was queued from]"}),
    grace: Flags.integer({description: 'On SIGTERM: seconds running runs may take to finish before they are handed back', default: 60, min: 0}),
    json: Flags.boolean({description: 'One JSON object per event (run taken, ended, handed back)'}),
    db: Flags.string({description: 'The store runs record into (default: DATABASE_URL, DATABASE_PATH, adw.config.yaml database, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Worker)
    const queue = checkQueueName(flags.queue)
    const {resolve} = await import('node:path')
    const {existsSync, statSync} = await import('node:fs')
    const workingDir = flags['working-dir'] !== undefined ? resolve(flags['working-dir']) : undefined
    if (workingDir && (!existsSync(workingDir) || !statSync(workingDir).isDirectory())) {
      const {AdwError} = await import('../errors.js')
      throw new AdwError('USAGE', `--working-dir ${flags['working-dir']} does not exist or is not a directory`, {suggestions: ['point it at this worker\'s checkout of the repository']})
    }
    const stop = new AbortController()
    const now = new AbortController()
    const onSignal = () => (stop.signal.aborted ? now.abort() : stop.abort())
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    const {runWorker} = await import('../queue/worker.js')
    await runWorker({queue, concurrency: flags.concurrency, workingDir, db: flags.db, graceMs: flags.grace * 1000, json: flags.json, write: line => this.log(line), stop: stop.signal, now: now.signal})
  }
}
