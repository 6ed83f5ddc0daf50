import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {resolveDbPath} from '../../config.js'

export default class WorktreesPrune extends AdwCommand {
  static summary = 'Remove the worktrees of finished runs that hold nothing unsaved'
  static description = `A worktree goes when no process drives its run any more (succeeded, failed, cancelled, or interrupted: its process died) and it holds no uncommitted change and no commit that no remote has; its branch goes with it. --force also removes those holding unsaved work (uncommitted changes are lost; a branch with unpushed commits is kept). The worktree of a run that is still running is never removed.

A pruned run can still be resumed: adw run --resume re-creates its worktree from its branch.`
  static examples = ['<%= config.bin %> worktrees prune --dry-run', '<%= config.bin %> worktrees prune', '<%= config.bin %> worktrees prune --force']
  static flags = {
    force: Flags.boolean({description: 'Also remove worktrees holding uncommitted changes or unpushed commits (never a running run\'s)'}),
    'dry-run': Flags.boolean({description: 'Show what would be removed; remove nothing'}),
    json: Flags.boolean({description: 'One JSON object per worktree (NDJSON): adwId, branch, path, run, action, note'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(WorktreesPrune)
    const {pruneWorktrees} = await import('../../worktrees/index.js')
    await pruneWorktrees({dbPath: await resolveDbPath({db: flags.db}), force: flags.force, dryRun: flags['dry-run'], json: flags.json, write: text => this.log(text)})
  }
}
