// `adw plugins link`: see ./index.ts.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = commands['plugins:link']
export default command
