import {Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {describeExecutors, formatExecutors} from '../plugins/describe.js'
import {loadRegistry} from '../plugins/registry.js'

export default class Executors extends AdwCommand {
  static summary = 'List every step executor that uses: can name, where it comes from, and its options'
  static description = `Sources: built-in, an oclif plugin (adw plugins install <package> | adw plugins link <dir>), or a local module (uses: ./steps/lint.js, resolved from the pipeline file's folder; not listed here).

When two sources provide the same name, uses: <name> is an error: pick one with its qualified name, <plugin>/<name> (adw/<name> for a built-in).`
  static examples = ['<%= config.bin %> executors', '<%= config.bin %> executors --json']
  static flags = {
    json: Flags.boolean({description: 'Print [{name, source, qualifiedName, description, options: [{name, type, required, description}]}] as JSON'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Executors)
    const infos = describeExecutors(await loadRegistry(this.config))
    this.log(flags.json ? JSON.stringify(infos, null, 2) : formatExecutors(infos))
  }
}
