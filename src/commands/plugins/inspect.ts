// `adw plugins inspect`: see ./index.ts.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = commands['plugins:inspect']
export default command
