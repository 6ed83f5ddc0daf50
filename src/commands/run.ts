import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {resumeRun} from '../engine/resume.js'
import {parseInputFlags, startRun} from '../engine/start.js'
import {AdwError} from '../errors.js'
import {loadRegistry} from '../plugins/registry.js'
import type {Budget} from '../budget/limits.js'

export default class Run extends AdwCommand {
  static summary = 'Run a pipeline, recording every step, log line, token and dollar in SQLite'
  static description = `A pipeline is a YAML file, or a bare name looked up in <project root>/pipelines/<name>.yaml and then among the built-in pipelines (plan-build, plan-build-review, plan-build-review-fix, plan-build-parallel-review).

--resume --adw-id <id> continues a run that failed, was cancelled or whose process died, with the pipeline snapshot, inputs and working directory stored with it. A completed step is reused only while its key is unchanged: its rendered with:, executor and version, model and its upstream steps' outputs; otherwise it runs again, and so does what depends on it (each step's reason is shown and logged). The step that was in progress runs again, a failed one too, a loop continues at the iteration where it stopped. --from <step> runs that step and its downstream again; --pipeline <file> continues with an edited pipeline file (checked first, then recorded with the run). A succeeded run runs nothing, unless --from or --pipeline is given. It refuses (exit 2) while another live process drives the run. Inputs declared secret: true are not stored: give them again with --input name=value.

--worktree runs every step in a new git worktree (.adw/worktrees/<adw-id>, git-ignored) on a new branch (adw/<adw-id>, from --base, default HEAD); several runs on one repository then never touch each other's files. The run reads its configuration and .env from the checkout; untracked files such as .env are not copied in. adw worktrees lists them, adw worktrees prune removes those of finished runs.

Ctrl-C (or SIGTERM) cancels: the running step is stopped with its child processes, the run recorded as cancelled, exit 130. A second Ctrl-C exits at once.

Budgets: --max-usd, --max-tokens and --max-minutes limit the run (over the pipeline's budget: and adw.config.yaml's budget.run_*; on --resume over the limits stored with the run, so a stopped run goes on with a higher one). Reaching one stops the run cleanly: status budget_exceeded, the step that crossed it named with spend and limit, exit 3.

Usage limits: a step stopped by one (Claude Code's "You've hit your session limit · resets …", recorded rate_limited) fails the run; --wait-for-quota sleeps until the reset instead (a countdown under the step; Ctrl-C exits 130 and the run stays resumable) and runs the step again, as it does for a 429 whose retry-after the step's retry: policy does not wait out.

Approval gates (uses: approval): the run is recorded waiting and adw exits 0, printing the adw approve / adw reject commands that continue it; --wait blocks until someone decides instead.

Exit codes: 0 the run succeeded (or waits at an approval gate), 1 it failed, 2 bad usage or an invalid pipeline (nothing is written), 3 a budget stopped it, 130 interrupted (Ctrl-C).`
  static examples = [
    '<%= config.bin %> run plan-build --prompt "Add a /health endpoint" --working-dir .',
    '<%= config.bin %> run pipelines/plan-build-review-fix.yaml --adw-id feat-42 --prompt "Add login"',
    '<%= config.bin %> run pipelines/check.yaml --input target=src --json',
    '<%= config.bin %> run check --verbose                # each step\'s output as it comes',
    '<%= config.bin %> run plan-build --prompt "Add a README" --dry-run',
    '<%= config.bin %> run --resume --adw-id feat-42',
    '<%= config.bin %> run --resume --adw-id feat-42 --from review    # review and what follows run again',
    '<%= config.bin %> run --resume --adw-id feat-42 --pipeline pipelines/plan-build-review-fix.yaml',
    '<%= config.bin %> run plan-build-review-fix --prompt "Add login" --executor agent=claude-code',
    '<%= config.bin %> run plan-build --prompt "Add login" --worktree --base main   # on branch adw/<adw-id> in .adw/worktrees/<adw-id>',
    '<%= config.bin %> run plan-build --prompt "Add login" --max-usd 2 --max-minutes 30',
    '<%= config.bin %> run --resume --adw-id feat-42 --max-usd 10     # stopped by its budget: go on with more',
    '<%= config.bin %> run plan-approve-build --prompt "Add login" --wait',
    '<%= config.bin %> run plan-build --prompt "Add login" --executor agent=claude-code --wait-for-quota   # sleep through a usage limit',
    '<%= config.bin %> run plan-build-review-fix-pr --issue 42               # the issue is the prompt; ends as a pull request',
    '<%= config.bin %> run plan-build-parallel-review --prompt "Add login" --concurrency 2',
  ]
  static args = {
    pipeline: Args.string({description: 'Pipeline file or bare name (not with --resume)'}),
  }
  static flags = {
    'adw-id': Flags.string({description: 'Id of this run (default: a short unique id, printed)'}),
    prompt: Flags.string({char: 'p', description: 'Fills the pipeline input "prompt"'}),
    input: Flags.string({char: 'i', description: 'A pipeline input as key=value (repeatable; with --resume, only the secret inputs, which are never stored)', multiple: true}),
    'working-dir': Flags.string({char: 'w', description: 'Directory the steps work in (must exist) [default: the project root]'}),
    resume: Flags.boolean({description: 'Continue the run named by --adw-id where it stopped (its stored pipeline, inputs and working dir)'}),
    from: Flags.string({description: 'With --resume: run this step and everything downstream of it again, even if their keys are unchanged'}),
    pipeline: Flags.string({description: 'With --resume: continue with this (edited) pipeline file instead of the stored snapshot; it is checked first and recorded with the run'}),
    model: Flags.string({char: 'm', description: 'Default model for agent steps (over AGENT_MODEL and adw.config.yaml)'}),
    db: Flags.string({description: 'SQLite file (over DATABASE_PATH and adw.config.yaml; default <project root>/.adw/orchestrator.db)'}),
    json: Flags.boolean({description: 'Print one JSON event per line instead of the live view', exclusive: ['quiet']}),
    quiet: Flags.boolean({char: 'q', description: 'Print only the final summary'}),
    'dry-run': Flags.boolean({description: 'Show what would run: the resolved inputs, the steps in order with their executors, conditions and rendered with:. Nothing runs and nothing is recorded', exclusive: ['resume', 'verbose']}),
    verbose: Flags.boolean({description: "Stream each step's output lines and tool calls under it as they come", exclusive: ['quiet', 'json']}),
    executor: Flags.string({char: 'e', description: 'Run steps of one executor on another, as FROM=TO (repeatable), e.g. agent=claude-code', multiple: true}),
    worktree: Flags.boolean({description: 'Work in a new git worktree on a new branch (.adw/worktrees/<adw-id>, branch adw/<adw-id>); --no-worktree works in place even when the pipeline or adw.config.yaml say isolation: worktree', allowNo: true}),
    base: Flags.string({description: 'With --worktree: the commit, branch or tag the new branch starts from [default: HEAD]'}),
    branch: Flags.string({description: "With --worktree: the new branch's name [default: adw/<adw-id>]"}),
    'max-usd': Flags.string({description: 'Most US dollars the run may spend (over the pipeline budget and adw.config.yaml budget.run_usd)', helpGroup: 'BUDGET'}),
    'max-tokens': Flags.string({description: 'Most tokens the run may use: input, output, cache writes and reads', helpGroup: 'BUDGET'}),
    'max-minutes': Flags.string({description: 'Most minutes the run may run (time waiting for an approval does not count)', helpGroup: 'BUDGET'}),
    wait: Flags.boolean({description: 'At an approval gate, wait (with a spinner) until adw approve / adw reject decides, instead of exiting'}),
    'wait-for-quota': Flags.boolean({description: 'When a usage limit stops a step (Claude Code\'s "resets at …", or a 429 with a retry-after), sleep until the reset and run it again instead of failing the run'}),
    issue: Flags.string({description: 'A GitHub issue (12, owner/name#12 or its URL): its title and body are the prompt, and the input issue holds {number, title, body, url}; GITHUB_TOKEN or GH_TOKEN for a private repository'}),
    concurrency: Flags.integer({char: 'c', description: "Most steps running at once (over the pipeline's concurrency:, default 4)", min: 1, max: 1000}),
    queue: Flags.string({description: 'Record the run as queued on this queue (--queue alone: the queue "default") and exit at once, printing its id; an adw worker executes it. The queue is PostgreSQL: ADW_QUEUE_URL or the postgres:// store', helpGroup: 'QUEUE', exclusive: ['resume', 'dry-run', 'wait', 'verbose']}),
  }

  async run(): Promise<void> {
    this.argv = queueAlone(this.argv)
    const {args, flags} = await this.parse(Run)
    const controller = new AbortController()
    let interrupts = 0
    const onSignal = (sig: NodeJS.Signals) => {
      interrupts++
      if (interrupts === 1) {
        if (!flags.json) process.stderr.write(`\n${sig === 'SIGINT' ? 'Ctrl-C' : sig}: cancelling the run (again to exit at once)…\n`)
        controller.abort(new Error('cancelled'))
      } else process.exit(130)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const mode = flags.json ? 'json' : flags.quiet ? 'quiet' : 'auto'
    if (!flags.resume && (flags.from !== undefined || flags.pipeline !== undefined)) {
      throw new AdwError('USAGE', `${flags.from !== undefined ? '--from' : '--pipeline'} continues an existing run: it needs --resume --adw-id <id>`, {suggestions: ['adw run --resume --adw-id <id> --from <step>', 'adw run <pipeline> ...  (a new run)']})
    }
    const budget = budgetFlags(flags)
    if (flags.resume) checkResumeUsage(args.pipeline, flags)
    else if (!args.pipeline) throw new AdwError('USAGE', 'Missing the pipeline to run: a file or a bare name', {suggestions: ['adw run plan-build --prompt "..."', 'adw run --resume --adw-id <id>  (continue a run)']})
    const outcome = flags.resume
      ? await resumeRun({
          adwId: flags['adw-id']!,
          db: flags.db,
          model: flags.model,
          mode,
          verbose: flags.verbose,
          registry: await loadRegistry(this.config),
          executors: flags.executor,
          concurrency: flags.concurrency,
          inputs: parseInputFlags(flags.input ?? []),
          from: flags.from,
          pipeline: flags.pipeline,
          signal: controller.signal,
          budget,
          wait: flags.wait,
          waitForQuota: flags['wait-for-quota'],
          note: line => this.logToStderr(line),
        })
      : await startRun({
          pipeline: args.pipeline!,
          adwId: flags['adw-id'],
          prompt: flags.prompt,
          inputs: flags.input,
          workingDir: flags['working-dir'],
          model: flags.model,
          db: flags.db,
          executors: flags.executor,
          concurrency: flags.concurrency,
          mode,
          verbose: flags.verbose,
          registry: await loadRegistry(this.config),
          signal: controller.signal,
          worktree: flags.worktree,
          base: flags.base,
          branch: flags.branch,
          budget,
          wait: flags.wait,
          waitForQuota: flags['wait-for-quota'],
          issue: flags.issue,
          queue: flags.queue,
          ...(flags['dry-run'] ? {dryRun: {print: (text: string) => this.log(text), json: flags.json}} : {}),
          announce: line => this.logToStderr(line),
        })
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (outcome.queued) {
      // The id on stdout (for scripts: id=$(adw run x --queue)); how to follow it on stderr.
      this.log(flags.json ? JSON.stringify({adwId: outcome.adwId, status: 'queued', queue: outcome.queued.queue, jobId: outcome.queued.jobId}) : outcome.adwId)
      if (!flags.json && !flags.quiet) this.logToStderr(`Queued on ${outcome.queued.queue}: an adw worker runs it. Follow it with: adw logs --adw-id ${outcome.adwId} --follow`)
      return
    }
    if (outcome.waiting && !flags.json) {
      this.logToStderr([`Run ${outcome.adwId} is waiting for approval at step ${outcome.waiting.stepId}: ${outcome.waiting.message}`, 'Continue it with one of:', ...outcome.waiting.commands.map(c => `  ${c}`)].join('\n'))
    }
    if (outcome.crossing && !flags.json) {
      const {raiseHint} = await import('../budget/ledger.js')
      this.logToStderr(`Stopped: ${outcome.error}. To go on: ${raiseHint(outcome.crossing, outcome.adwId)}`)
    }
    const code = outcome.status === 'succeeded' || outcome.status === 'waiting' ? 0 : outcome.status === 'cancelled' ? 130 : outcome.status === 'budget_exceeded' ? BUDGET_EXIT : 1
    if (code !== 0) this.exit(code)
  }
}

/**
 * `--queue` takes an optional value: alone (last, or followed by another flag) it means the queue
 * "default"; `--queue=name` and `--queue name` name one.
 */
function queueAlone(argv: string[]): string[] {
  return argv.map((a, i) => (a === '--queue' && (i === argv.length - 1 || argv[i + 1].startsWith('-')) ? '--queue=default' : a))
}

/** The exit code of a run stopped by a budget: distinct from a failure (1). */
export const BUDGET_EXIT = 3

/** `--max-usd/--max-tokens/--max-minutes` as a Budget; a value that is not a positive number is exit 2. */
function budgetFlags(flags: {'max-usd'?: string; 'max-tokens'?: string; 'max-minutes'?: string}): Budget | undefined {
  const out: Budget = {}
  for (const [flag, kind] of [['max-usd', 'usd'], ['max-tokens', 'tokens'], ['max-minutes', 'minutes']] as const) {
    const raw = flags[flag]
    if (raw === undefined) continue
    const n = Number(raw)
    const whole = kind !== 'tokens' || Number.isInteger(n)
    if (!raw.trim() || !Number.isFinite(n) || n <= 0 || !whole) {
      throw new AdwError('USAGE', `--${flag} must be a ${kind === 'tokens' ? 'whole number' : 'number'} above 0, got "${raw}"`, {suggestions: [`adw run ... --${flag} ${kind === 'usd' ? '2.50' : kind === 'tokens' ? '500000' : '30'}`]})
    }
    out[kind] = n
  }
  return Object.keys(out).length ? out : undefined
}

/** With --resume everything comes from the run: refuse what would be silently ignored. */
function checkResumeUsage(pipeline: string | undefined, flags: {'adw-id'?: string; prompt?: string; input?: string[]; 'working-dir'?: string; worktree?: boolean; base?: string; branch?: string; issue?: string}): void {
  if (!flags['adw-id']) throw new AdwError('USAGE', '--resume needs --adw-id <id>: the run to continue', {suggestions: ['adw runs --status interrupted  (or failed, cancelled) lists candidates']})
  // --input is checked by resumeRun: it is allowed for the inputs stored masked (secret ones).
  const extra = [pipeline && `the pipeline argument (${pipeline})`, flags.prompt !== undefined && '--prompt', flags['working-dir'] !== undefined && '--working-dir', flags.worktree !== undefined && '--worktree', flags.base !== undefined && '--base', flags.branch !== undefined && '--branch', flags.issue !== undefined && '--issue'].filter(Boolean)
  if (extra.length) {
    throw new AdwError('USAGE', `--resume continues run "${flags['adw-id']}" with the pipeline snapshot, inputs and working directory stored with it; leave out ${extra.join(', ')}`, {
      suggestions: [`adw run --resume --adw-id ${flags['adw-id']}`, ...(pipeline ? [`adw run --resume --adw-id ${flags['adw-id']} --pipeline ${pipeline}  (continue with an edited pipeline file)`] : [])],
    })
  }
}
