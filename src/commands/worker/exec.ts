import {Args, Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'

/** Internal: the child process `adw worker` starts for one run (see src/queue/exec.ts). */
export default class WorkerExec extends AdwCommand {
  static hidden = true
  static summary = 'Internal: execute one queued run for adw worker (its stdin is the lifeline to the worker)'
  static args = {'adw-id': Args.string({required: true, description: 'The run'})}
  static flags = {
    db: Flags.string({description: 'The store', required: true}),
    'working-dir': Flags.string({description: "The worker's checkout"}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(WorkerExec)
    const {execQueuedRun} = await import('../../queue/exec.js')
    const {loadRegistry} = await import('../../plugins/registry.js')
    const code = await execQueuedRun({adwId: args['adw-id'], db: flags.db, workingDir: flags['working-dir'], registry: await loadRegistry(this.config), print: line => this.log(line)})
    if (code !== 0) this.exit(code)
  }
}
