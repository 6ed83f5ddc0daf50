// `adw plugins update`: see ./index.ts.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = commands['plugins:update']
export default command
