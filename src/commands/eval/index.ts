import {writeFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../../base-command.js'
import {AdwError} from '../../errors.js'
import {loadRegistry} from '../../plugins/registry.js'

const list = (flag: string, value: string | undefined): string[] | undefined => {
  if (value === undefined) return undefined
  const items = value.split(',').map(s => s.trim()).filter(Boolean)
  if (!items.length) throw new AdwError('USAGE', `--${flag} "${value}" names nothing: give a comma-separated list`, {suggestions: [`--${flag} a,b`]})
  return items
}

export default class Eval extends AdwCommand {
  static summary = 'Run an evaluation suite: every case × pipeline × model × repeat, isolated, then a report of pass rates and cost per success'
  static description = `A suite (YAML) lists cases: a starting state (fixture: a folder copied for each trial, or repo: + ref: a git worktree), a task (prompt: or issue:) and checks that decide success after the run (run: a command that must exit 0, sandboxed; file: that must exist, contain: text, or exists: false; judge: an agent answering PASS/FAIL by a rubric). See README "Measuring your pipelines".

Every trial is an ordinary run (adw logs, adw runs show, adw ui, adw run --resume work on it) tagged with the eval's id, in its own folder, at most --concurrency at once. --max-usd caps the whole eval: when its runs have spent it, running steps stop and no trial starts (exit 3); --resume <eval-id> --max-usd <more> runs only what was not decided.

The report: per variant (pipeline · model) the pass rate with a 95% Wilson interval, cost per success, median and p90 duration, tokens per trial, fix-loop attempts and reviews passed on the first try; each pair's difference with Fisher's exact test; the failing trials with the commands that open their runs.

Exit codes: 0 the eval finished (whatever its pass rate), 2 bad usage or an invalid suite (nothing runs), 3 the budget stopped it, 130 interrupted (Ctrl-C; resumable).`
  static examples = [
    '<%= config.bin %> eval examples/suite.yaml',
    '<%= config.bin %> eval evals/suite.yaml --pipeline plan-build,plan-build-review-fix --model claude-sonnet-4-5,claude-haiku-4-5 --repeat 3',
    '<%= config.bin %> eval evals/suite.yaml --max-usd 5 --concurrency 8 --report eval.md',
    '<%= config.bin %> eval evals/suite.yaml --resume eval-1a2b3c4d --max-usd 10',
    '<%= config.bin %> eval evals/suite.yaml --json > report.json',
    '<%= config.bin %> eval compare eval-1a2b3c4d eval-5e6f7a8b',
    '<%= config.bin %> eval list',
  ]
  static args = {
    suite: Args.string({description: 'The suite file (examples/suite.yaml is the starter suite shipped with adw)', required: true}),
  }
  static flags = {
    pipeline: Flags.string({description: "Pipelines to compare, comma-separated: files or bare names (over the suite's pipelines:)"}),
    model: Flags.string({char: 'm', description: "Models to compare, comma-separated (over the suite's models:; default the configured model)"}),
    repeat: Flags.integer({description: 'Runs of each case × pipeline × model (over the suite\'s repeat:, default 1)', min: 1, max: 1000}),
    concurrency: Flags.integer({char: 'c', description: 'Trials running at once (over the suite\'s concurrency:, default 4)', min: 1, max: 1000}),
    'max-usd': Flags.string({description: 'Most US dollars the whole eval may spend (over the suite\'s budget.usd); with --resume, a new limit'}),
    json: Flags.boolean({description: 'Print the report as JSON (progress lines go to stderr)'}),
    report: Flags.string({description: 'Also write the report as Markdown to this file'}),
    resume: Flags.string({description: 'Continue this eval (its id): only trials not yet decided run; finished ones are kept'}),
    'keep-workspaces': Flags.boolean({description: "Keep every trial's folder (default: removed once the trial is decided; a repo case's branch always stays)"}),
    db: Flags.string({description: 'SQLite file (over DATABASE_PATH and adw.config.yaml)'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Eval)
    const maxUsd = flags['max-usd'] === undefined ? undefined : Number(flags['max-usd'])
    if (maxUsd !== undefined && !(Number.isFinite(maxUsd) && maxUsd > 0)) throw new AdwError('USAGE', `--max-usd "${flags['max-usd']}" must be a positive number of US dollars`, {suggestions: ['--max-usd 5']})
    const controller = new AbortController()
    let interrupts = 0
    const onSignal = () => {
      if (++interrupts > 1) process.exit(130)
      process.stderr.write('\nCtrl-C: stopping the eval (its running trials are cancelled; --resume goes on)…\n')
      controller.abort(new Error('cancelled'))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const {runEval} = await import('../../eval/index.js')
    const {renderMarkdown, renderText} = await import('../../eval/render.js')
    const outcome = await runEval({
      suite: args.suite,
      pipelines: list('pipeline', flags.pipeline),
      models: list('model', flags.model),
      repeat: flags.repeat,
      concurrency: flags.concurrency,
      maxUsd,
      resume: flags.resume,
      db: flags.db,
      keepWorkspaces: flags['keep-workspaces'],
      registry: await loadRegistry(this.config),
      signal: controller.signal,
      progress: line => process.stderr.write(`${line}\n`),
    })
    if (flags.report) writeFileSync(resolve(flags.report), renderMarkdown(outcome.report))
    if (flags.json) process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`)
    else this.log(renderText(outcome.report) + (flags.report ? `\n\nReport written to ${flags.report}` : ''))
    if (outcome.status === 'cancelled') this.exit(130)
    if (outcome.status === 'budget_exceeded') this.exit(3)
    return undefined
  }
}
