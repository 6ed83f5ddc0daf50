import {Args, loadHelpClass} from '@oclif/core'
import {AdwCommand, unknownCommandError} from '../base-command.js'

export default class Help extends AdwCommand {
  static summary = 'Show help for adw or one of its commands'
  static description = 'The same text as `adw <command> --help` (or -h).'
  static examples = ['<%= config.bin %> help', '<%= config.bin %> help run', '<%= config.bin %> help runs show']
  static strict = false
  static args = {
    command: Args.string({description: 'Command to show help for (several words for a subcommand)'}),
  }

  async run(): Promise<void> {
    const {argv} = await this.parse(Help)
    const id = (argv as string[]).join(':')
    if (id && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      throw unknownCommandError(id, this.config.commands.filter(c => !c.hidden).map(c => c.id))
    }
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(argv as string[])
  }
}
