import {Flags} from '@oclif/core'
import {AdwCommand} from '../../base-command.js'
import {formatPipelines, listPipelines} from '../../history/pipelines.js'
import {findProjectRoot} from '../../project.js'

export default class Pipelines extends AdwCommand {
  static summary = 'List the pipelines adw run can start by name: the project\'s and the built-in ones'
  static description = `The project's pipelines/*.yaml (the project root is found upwards, like adw run) and the built-in pipelines, with their inputs (* marks a required one) and descriptions. A local pipeline hides a built-in of the same name.

One pipeline's inputs and steps: adw pipelines show <name>.`
  static examples = ['<%= config.bin %> pipelines', '<%= config.bin %> pipelines --json', '<%= config.bin %> pipelines show plan-build']
  static flags = {
    json: Flags.boolean({description: 'Print [{name, source, file, description, inputs: [{name, type, required, description}], shadowed?, invalid?}] as JSON'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Pipelines)
    const list = await listPipelines(findProjectRoot(process.cwd()).dir)
    this.log(flags.json ? JSON.stringify(list, null, 2) : formatPipelines(list, process.cwd()))
  }
}
