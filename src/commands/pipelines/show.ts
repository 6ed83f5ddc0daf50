import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../../base-command.js'
import {findPipeline} from '../../engine/start.js'
import {formatPipeline} from '../../history/pipelines.js'
import {loadPipeline} from '../../pipeline/load.js'
import {loadRegistry} from '../../plugins/registry.js'

export default class PipelinesShow extends AdwCommand {
  static summary = "Show a pipeline's inputs and steps"
  static description = 'The pipeline is loaded with every check adw run makes (an invalid one is reported as by adw validate, exit 2): its description, inputs (type, required or default, description), steps with their executors, needs (when the pipeline writes any), conditions, forEach and retry, loops with their bodies, and the command line that runs it.'
  static examples = ['<%= config.bin %> pipelines show plan-build', '<%= config.bin %> pipelines show pipelines/check.yaml --json']
  static args = {
    pipeline: Args.string({description: 'Pipeline file or bare name, as adw run takes it', required: true}),
  }
  static flags = {
    json: Flags.boolean({description: 'Print {name, description, file, inputs, concurrency, failFast, steps: [{id, uses | loop, needs, if, forEach?, retry?}]} as JSON'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(PipelinesShow)
    const pipeline = await loadPipeline(findPipeline(args.pipeline, process.cwd()), {registry: await loadRegistry(this.config)})
    if (!flags.json) return this.log(formatPipeline(pipeline, process.cwd()))
    const step = (s: (typeof pipeline.steps)[number]): Record<string, unknown> =>
      s.kind === 'loop'
        ? {id: s.id, needs: s.needs, if: s.if?.source, loop: {maxAttempts: s.maxAttempts, until: s.until.source, onExhausted: s.onExhausted}, steps: s.steps.map(step)}
        : {
            id: s.id,
            name: s.name,
            uses: s.uses,
            needs: s.needs,
            if: s.if?.source,
            with: s.with,
            continueOnError: s.continueOnError,
            ...(s.forEach ? {forEach: {items: s.forEach.items.source, maxItems: s.forEach.maxItems}} : {}),
            ...(s.retry ? {retry: s.retry} : {}),
          }
    const {name, description, file, inputs, concurrency, failFast} = pipeline
    this.log(JSON.stringify({name, description, file, inputs, concurrency, failFast, steps: pipeline.steps.map(step)}, null, 2))
  }
}
