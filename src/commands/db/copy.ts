import {Flags} from '@oclif/core'

import {AdwCommand} from '../../base-command.js'

export default class DbCopy extends AdwCommand {
  static summary = 'Copy run history between stores (SQLite file ⇄ PostgreSQL)'
  static description = `Copies every run (with its steps, approval gates, log rows and recordings) and every worktree and replay record that the target does not have yet; a run the target already has is left as it is there. Re-running copies nothing twice. Each batch of runs lands in one transaction, so an interrupted copy never leaves half a run; run it again to finish. Row ids are the target's own; their order is kept. The target is created (file) or migrated (tables) as needed; the source must exist.`
  static examples = [
    '<%= config.bin %> db copy --from .adw/orchestrator.db --to postgres://adw@db.internal/adw',
    '<%= config.bin %> db copy --from postgres://adw@db.internal/adw --to backup.db',
    '<%= config.bin %> db copy --from old.db --to "postgres://adw@db.internal/shared?schema=team_a" --json',
  ]

  static flags = {
    from: Flags.string({description: 'The source: an SQLite file or a postgres:// URL', required: true}),
    to: Flags.string({description: 'The target: a postgres:// URL or an SQLite file (created if missing)', required: true}),
    json: Flags.boolean({description: 'One JSON object: from, to, copied (rows per table), skippedRuns, running'}),
  }

  async run(): Promise<void> {
    const [{copyHistory}, {progressBar}] = await Promise.all([import('../../db/copy.js'), import('../../db/progress.js')])
    const {flags} = await this.parse(DbCopy)
    const bar = flags.json ? undefined : progressBar()
    const result = await copyHistory({from: flags.from, to: flags.to, progress: bar?.update}).finally(() => bar?.end())
    if (flags.json) return this.log(JSON.stringify(result))
    const c = result.copied
    this.log(`Copied ${c.runs} run${c.runs === 1 ? '' : 's'} (${c.steps} steps, ${c.approvals} approvals, ${c.agent_logs} log rows, ${c.recordings} recordings), ${c.worktrees} worktree and ${c.replays} replay record${c.replays === 1 ? '' : 's'} from ${result.from} to ${result.to}.`)
    if (result.skippedRuns) this.log(`${result.skippedRuns} run${result.skippedRuns === 1 ? ' was' : 's were'} already there and left as ${result.skippedRuns === 1 ? 'it is' : 'they are'}.`)
    if (result.running.length) this.log(`Still running when copied: ${result.running.join(', ')} (rows they write later are not copied by a re-run).`)
  }
}
