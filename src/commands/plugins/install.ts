// `adw plugins install`: see ./index.ts.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = commands['plugins:install']
export default command
