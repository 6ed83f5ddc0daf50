import type {StepExecutor} from './types.js'
import {noop} from './noop.js'
import {shell} from './shell.js'
import {agent} from './agent.js'
import {claudeCode} from './claude-code.js'
import {approval} from './approval.js'
import {gitExecutor} from './git.js'
import {github} from './github.js'

/** The executors that ship with adw, by `uses:` name. */
export const builtins: StepExecutor[] = [shell, noop, agent, claudeCode, approval, gitExecutor, github]
