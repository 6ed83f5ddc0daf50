import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {findPipeline} from '../engine/start.js'
import {validatePipelines} from '../pipeline/validate.js'
import {describeExecutors, formatExecutors} from '../plugins/describe.js'
import {loadRegistry} from '../plugins/registry.js'

export default class Executors extends AdwCommand {
  static summary = 'List every step executor that uses: can name, where it comes from, and its options'
  static description = `Sources: built-in, an oclif plugin (adw plugins install <package> | adw plugins link <dir>), or a local module (uses: ./steps/lint.js, resolved from the pipeline file's folder): name pipelines to list the local modules they use too.

When two sources provide the same name, uses: <name> is an error: pick one with its qualified name, <plugin>/<name> (adw/<name> for a built-in).`
  static examples = ['<%= config.bin %> executors', '<%= config.bin %> executors --json', '<%= config.bin %> executors pipelines/*.yaml']
  static strict = false
  static args = {
    pipeline: Args.string({description: 'Pipeline file(s) whose local modules to list as well'}),
  }
  static flags = {
    json: Flags.boolean({description: 'Print [{name, source, qualifiedName, description, options: [{name, type, required, description}]}] as JSON'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Executors)
    const registry = await loadRegistry(this.config)
    if (argv.length > 0) {
      // Loading a pipeline resolves its local modules into the registry; its other problems are adw validate's job.
      const names = argv as string[]
      const {files: reports} = await validatePipelines(names.map(p => findPipeline(p, process.cwd())), {registry})
      reports.forEach((r, i) => {
        if (!r.valid) this.logToStderr(`Warning: ${names[i]} has problems; see: adw validate ${names[i]}`)
      })
    }
    const infos = describeExecutors(registry)
    this.log(flags.json ? JSON.stringify(infos, null, 2) : formatExecutors(infos))
  }
}
