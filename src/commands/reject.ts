import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'
import {recordDecision} from '../control/approve.js'
import {continueRun} from './approve.js'

export default class Reject extends AdwCommand {
  static summary = 'Reject a run waiting at an approval gate, then continue it'
  static description = `Records the rejection (who: --as or your OS user; when; --reason) on the run's pending gate, then continues the run, as adw run --resume would (--no-resume only records it). The gate's outputs are approved (false), comment (the reason) and by: with onReject: continue a pipeline can loop back (re-plan with the reviewer's comment); otherwise the gate fails the run.

Exit 2 and nothing changed when the run is unknown, not waiting, already decided, or you are not among the gate's approvers.`
  static examples = [
    '<%= config.bin %> reject feat-42 --reason "Split the migration into its own step"',
    '<%= config.bin %> reject feat-42 --reason "Not now" --no-resume',
  ]
  static args = {
    'adw-id': Args.string({description: 'The waiting run', required: true}),
  }
  static flags = {
    reason: Flags.string({char: 'r', description: "Why (the gate's outputs.comment; a re-plan step can read it)", required: true}),
    step: Flags.string({description: 'The gate to reject, when the run waits at several'}),
    as: Flags.string({description: 'Record the decision under this name (default: your OS user name)'}),
    'no-resume': Flags.boolean({description: 'Only record the decision; continue later with adw run --resume --adw-id <id>'}),
    json: Flags.boolean({description: 'The continued run prints one JSON event per line'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Reject)
    const gate = await recordDecision({dbPath: await resolveDbPath({db: flags.db}), adwId: args['adw-id'], decision: 'rejected', stepId: flags.step, comment: flags.reason, as: flags.as})
    await continueRun(this, args['adw-id'], gate, flags)
  }
}
