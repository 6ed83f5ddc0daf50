import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'
import {resolveDbPath} from '../../config.js'

export default class Worktrees extends AdwCommand {
  static summary = 'List the git worktrees of runs (adw run --worktree)'
  static description = `Newest first: the run, its branch, the run's status (interrupted when its process died), what the worktree holds (uncommitted changes; commits no remote has) and where it is.

adw worktrees prune removes those of finished runs that hold nothing unsaved.`
  static examples = ['<%= config.bin %> worktrees', '<%= config.bin %> worktrees --json', '<%= config.bin %> worktrees prune --dry-run']
  static flags = {
    json: Flags.boolean({description: 'One JSON object per worktree (NDJSON): adwId, branch, path, repo, baseRef, baseCommit, createdAt, run, state {present, changes, unpushed, branchExists}'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Worktrees)
    const {listWorktrees} = await import('../../worktrees/index.js')
    await listWorktrees({dbPath: await resolveDbPath({db: flags.db}), json: flags.json, write: text => this.log(text)})
  }
}
