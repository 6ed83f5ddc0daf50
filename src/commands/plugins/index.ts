// `adw plugins` and the files beside this one: @oclif/plugin-plugins' commands, served as adw's own.
// Declared in package.json's oclif.plugins instead, plugin-plugins was a core plugin that oclif loaded
// at every start of every command (its package, its manifest, a minimatch over our dependencies):
// ~6 ms of `adw --version`. As commands it loads only when one of them runs.
import type {Command} from '@oclif/core'
import {commands} from '@oclif/plugin-plugins'

const command: Command.Class = commands['plugins']
export default command
