import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {loadRegistry} from '../plugins/registry.js'

/** `adw replay --check`: the replay left its recording (a regression for CI). */
export const DIVERGED_EXIT = 4

export default class Replay extends AdwCommand {
  static summary = 'Run a recorded run again with the model answers served from its recording: offline, $0, deterministic'
  static description = `Every agent and claude-code call of the run was recorded (adw.config.yaml record:, on by default). The replay runs the same pipeline, inputs and executors in a git worktree of the run's repository at the commit it started from (or a temporary copy of a folder that is not a git checkout), and points the real Anthropic SDK and Claude Code CLI at a local server on 127.0.0.1 that answers each call from the recording. Tools really run, so files and outputs come out as they did. The replay is a run of its own (adw runs, adw logs), recorded as a replay of the original.

A call that is not the recorded one (an edited prompt with --pipeline, another model with --model, a tool result that changed) is a divergence: the step stops with "diverged at turn N: expected …, got …". With --live-after-divergence the step goes on against the real API instead (it needs ANTHROPIC_API_KEY and costs money).

Exit codes: 0 the replay succeeded, 1 it failed (a divergence fails its step), 2 bad usage or a run with nothing recorded, 130 interrupted; with --check, 4 when any step diverged (even if the run then succeeded live), so a CI job fails when a pipeline change alters what the model is asked.`
  static examples = [
    '<%= config.bin %> replay feat-42',
    '<%= config.bin %> replay feat-42 --pipeline pipelines/plan-build.yaml --check   # CI: exit 4 if the edit changes any call',
    '<%= config.bin %> replay feat-42 --pipeline edited.yaml --live-after-divergence  # real API from the first changed call on',
    '<%= config.bin %> replay feat-42 --json',
  ]
  static args = {
    'adw-id': Args.string({description: 'The recorded run to replay', required: true}),
  }
  static flags = {
    pipeline: Flags.string({description: 'Replay with this (edited) pipeline file instead of the one the run used'}),
    model: Flags.string({char: 'm', description: 'Default model for agent steps (as adw run --model); a model other than the recorded one diverges at the first call'}),
    check: Flags.boolean({description: `Exit ${DIVERGED_EXIT} when any step diverged from the recording (for CI)`}),
    'live-after-divergence': Flags.boolean({description: 'A step that diverged goes on against the real API (ANTHROPIC_API_KEY; costs money)'}),
    'adw-id': Flags.string({description: 'Id of the replay run (default: a fresh one, printed)'}),
    input: Flags.string({char: 'i', description: 'A secret input of the run as key=value (secret inputs are never stored)', multiple: true}),
    keep: Flags.boolean({description: "Keep the replay's working dir (printed) instead of removing it"}),
    json: Flags.boolean({description: 'Print {adwId, replayOf, status, divergences, served, live, durationMs} as JSON instead of the live view'}),
    quiet: Flags.boolean({char: 'q', description: 'Print only the final summary', exclusive: ['json']}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Replay)
    const controller = new AbortController()
    const onSignal = () => controller.abort(new Error('cancelled'))
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const {parseInputFlags} = await import('../engine/start.js')
    const {replayRun} = await import('../replay/index.js')
    const outcome = await replayRun({
      adwId: args['adw-id'],
      newId: flags['adw-id'],
      pipeline: flags.pipeline,
      model: flags.model,
      live: flags['live-after-divergence'],
      keep: flags.keep,
      inputs: parseInputFlags(flags.input ?? []),
      db: flags.db,
      mode: flags.json ? 'silent' : flags.quiet ? 'quiet' : 'auto',
      registry: await loadRegistry(this.config),
      signal: controller.signal,
      note: line => this.logToStderr(line),
    })
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    const {adwId, replayOf, status, divergences, served, live, durationMs} = outcome
    if (flags.json) this.log(JSON.stringify({adwId, replayOf, status, divergences, served, live, durationMs, ...(outcome.error ? {error: outcome.error} : {})}, null, 2))
    else {
      const calls = `${served} call${served === 1 ? '' : 's'} answered from the recording${live ? `, ${live} sent to the real API` : ''}`
      this.log(`Replay ${adwId} of ${replayOf}: ${status}; ${calls}; ${divergences.length ? `${divergences.length} divergence${divergences.length === 1 ? '' : 's'}` : 'no divergence'}.`)
      for (const d of divergences) this.log(`  step ${d.stepId}${d.iteration ? ` (iteration ${d.iteration})` : ''}${d.itemIndex !== undefined ? ` (item ${d.itemIndex})` : ''}: ${d.message}`)
    }
    if (flags.check && divergences.length) this.exit(DIVERGED_EXIT)
    const code = status === 'succeeded' ? 0 : status === 'cancelled' ? 130 : status === 'budget_exceeded' ? 3 : 1
    if (code !== 0) this.exit(code)
  }
}
