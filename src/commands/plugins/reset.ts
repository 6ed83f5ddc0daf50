// `adw plugins reset`: see ./index.ts. Examples added: oclif ships this command without any.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = class PluginsReset extends commands['plugins:reset'] {
  static examples = ['<%= config.bin %> plugins reset', '<%= config.bin %> plugins reset --hard   # also delete the plugins folder\'s node_modules']
}
export default command
