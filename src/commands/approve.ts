import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {resolveDbPath} from '../config.js'
import {recordDecision} from '../control/approve.js'

export default class Approve extends AdwCommand {
  static summary = 'Approve a run waiting at an approval gate, then continue it'
  static description = `Records the approval (who: --as or your OS user; when; --comment) on the run's pending gate, then continues the run where it stopped, as adw run --resume would (--no-resume only records it). The gate's outputs approved (true), comment and by feed later steps.

Exit 2 and nothing changed when the run is unknown, not waiting, already decided (by someone else, twice, or by its timeout), or you are not among the gate's approvers. Of two approving at once exactly one wins.`
  static examples = [
    '<%= config.bin %> approve feat-42',
    '<%= config.bin %> approve feat-42 --comment "Plan looks right; keep the API unchanged"',
    '<%= config.bin %> approve feat-42 --step review_gate --as alice --no-resume',
  ]
  static args = {
    'adw-id': Args.string({description: 'The waiting run', required: true}),
  }
  static flags = {
    step: Flags.string({description: 'The gate to approve, when the run waits at several'}),
    comment: Flags.string({char: 'c', description: "A note for the run (the gate's outputs.comment)"}),
    as: Flags.string({description: 'Record the decision under this name (default: your OS user name)'}),
    'no-resume': Flags.boolean({description: 'Only record the decision; continue later with adw run --resume --adw-id <id>'}),
    json: Flags.boolean({description: 'The continued run prints one JSON event per line'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Approve)
    const gate = await recordDecision({dbPath: await resolveDbPath({db: flags.db}), adwId: args['adw-id'], decision: 'approved', stepId: flags.step, comment: flags.comment, as: flags.as})
    await continueRun(this, args['adw-id'], gate, flags)
  }
}

/** After a decision: continue the run through `adw run --resume` (its view, signals and exit codes), or say how to. */
export async function continueRun(cmd: AdwCommand, adwId: string, gate: {step_id: string; decision: string | null; decided_by: string | null; waitingPid?: number; queue?: string}, flags: {'no-resume'?: boolean; json?: boolean; db?: string}): Promise<void> {
  const recorded = `Step ${gate.step_id} of run ${adwId} ${gate.decision} by ${gate.decided_by}.`
  if (gate.waitingPid !== undefined) {
    cmd.log(`${recorded} adw process ${gate.waitingPid} is waiting for this decision (adw run --wait) and continues the run.`)
    return
  }
  if (flags['no-resume']) {
    cmd.log(`${recorded} Continue the run with: adw run --resume --adw-id ${adwId}`)
    return
  }
  if (gate.queue !== undefined) {
    const {requeueRun} = await import('../queue/submit.js')
    const {resolveConfig} = await import('../config.js')
    const config = await resolveConfig({db: flags.db})
    await requeueRun(config.env, config.dbPath, adwId, gate.queue)
    cmd.log(`${recorded} Run ${adwId} is back on queue ${gate.queue}: a worker continues it (adw queue, adw logs --adw-id ${adwId} --follow).`)
    return
  }
  if (!flags.json) cmd.logToStderr(`${recorded} Continuing the run…`)
  await cmd.config.runCommand('run', ['--resume', '--adw-id', adwId, ...(flags.json ? ['--json'] : []), ...(flags.db ? ['--db', flags.db] : [])])
}
