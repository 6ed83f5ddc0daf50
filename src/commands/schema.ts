import {AdwCommand} from '../base-command.js'
import {getPipelineSchema} from '../pipeline/schema.js'

export default class Schema extends AdwCommand {
  static summary = 'Print the pipeline JSON Schema'
  static description = 'For editors: save it and put `# yaml-language-server: $schema=./pipeline.schema.json` on the first line of a pipeline. The package ships the same file as pipelines/pipeline.schema.json (import "adw/pipeline.schema.json").'
  static examples = ['<%= config.bin %> schema > pipeline.schema.json']

  async run(): Promise<void> {
    await this.parse(Schema)
    this.log(JSON.stringify(getPipelineSchema(), null, 2))
  }
}
