// `adw plugins update`: see ./index.ts. Examples added: oclif ships this command without any.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = class PluginsUpdate extends commands['plugins:update'] {
  static examples = ['<%= config.bin %> plugins update', '<%= config.bin %> plugins update --verbose']
}
export default command
