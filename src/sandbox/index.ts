/**
 * Commands in a sandbox: the agent's Bash tool and `shell` steps with `sandbox: true` run under
 * bubblewrap (bwrap), which writes only inside the working dir and a private /tmp, sees its own
 * processes only, starts from an allow-listed environment, has no network unless asked, and takes
 * every process it started with it when it ends. README "Security > Sandbox" is the threat model.
 *
 * bwrap is called directly rather than through @anthropic-ai/sandbox-runtime: that package's worth
 * is per-host network filtering through proxies (it needs socat and ripgrep, and runs the proxies
 * in adw's process), which adw does not offer; the namespaces and mounts are these few arguments.
 */
import {statSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, resolve} from 'node:path'
import {OWNER_ENV} from '../engine/orphans.js'
import {bwrapArgs} from './bwrap.js'
import {sandboxEnv} from './env.js'
import {probeSandbox} from './probe.js'

export {PASSED_ENV} from './env.js'
export {probeSandbox, type Probe} from './probe.js'

/** `on`: commands are confined, or refused where bwrap cannot run. `off`: the user accepts running them unconfined. */
export type SandboxMode = 'on' | 'off'
export const SANDBOX_MODES: readonly SandboxMode[] = ['on', 'off']

/** One command to run. */
export interface SandboxRequest {
  /** The program and its arguments, e.g. `['bash', '-c', script]`. */
  command: string[]
  /** Real absolute path: the only host directory the command may write. */
  workingDir: string
  /** Where the command starts. @default workingDir */
  cwd?: string
  /** The environment it would get unsandboxed; only allow-listed names pass into the sandbox. */
  env: Readonly<Record<string, string | undefined>>
  /** Variables set as given (the step's own `env:`), inside the sandbox too. */
  set?: Record<string, string>
  /** Share the host's network (every host: bwrap cannot filter by host). @default false */
  network?: boolean
}

/** The run's sandbox setting and where its one-time notices go. */
export interface SandboxSettings {
  /** @default on */
  mode?: SandboxMode
  /** Notices are given once per run: the run's id. */
  runId: string
  /** Gives the user a notice, once per run (see `warnUser`). */
  warn(message: string): void
}

/** How to start the command: hand file/args/env/cwd to execa with `extendEnv: false`. */
export interface Launch {
  file: string
  args: string[]
  env: Record<string, string | undefined>
  cwd: string
  sandboxed: boolean
}

/** The sandbox is on but bwrap cannot run here; the message says what to install or set. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SandboxUnavailableError'
  }
}

const noticed = new Set<string>()
function once(settings: SandboxSettings, message: string): void {
  const key = `${settings.runId}\0${message}`
  if (noticed.has(key)) return
  noticed.add(key)
  settings.warn(message)
}

/** The usual `warn`: a WARNING row in the step's log (kept with the run) and a line on stderr (seen now). */
export function warnUser(log: (level: 'WARNING', type: 'state_change', message: string) => void): (message: string) => void {
  return message => {
    log('WARNING', 'state_change', message)
    process.stderr.write(`Warning: ${message}\n`)
  }
}

/** Decides how `req` runs under `settings`: inside bwrap, unconfined (mode off), or not at all (throws). */
export async function sandboxLaunch(req: SandboxRequest, settings: SandboxSettings): Promise<Launch> {
  const cwd = req.cwd ?? req.workingDir
  if (settings.mode === 'off') {
    once(settings, 'The sandbox is off (sandbox: off): agent commands and `sandbox: true` shell steps run with your full access to files, processes and the network.')
    return {file: req.command[0], args: req.command.slice(1), env: {...req.env, ...req.set}, cwd, sandboxed: false}
  }
  const probe = await probeSandbox()
  if (!probe.ok) {
    const message =
      `Commands are sandboxed, but ${probe.reason}: agent Bash calls and \`sandbox: true\` shell steps are refused. ` +
      'Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or accept the risk with `sandbox: off` in adw.config.yaml or ADW_SANDBOX=off in the environment.'
    once(settings, message)
    throw new SandboxUnavailableError(message)
  }
  const home = userHome(req.env.HOME)
  const env = sandboxEnv(req.env, req.set ?? {}, home ?? '/tmp')
  const args = bwrapArgs({workingDir: req.workingDir, cwd, network: req.network ?? false, home, path: env.PATH, env}, req.command)
  // bwrap itself (outside, where resume looks for a dead run's leftovers) keeps the run's owner mark.
  const outside = req.env[OWNER_ENV] ? {[OWNER_ENV]: req.env[OWNER_ENV]} : {}
  return {file: probe.bwrap, args, env: outside, cwd, sandboxed: true}
}

/** The home to hide and give back empty: HOME if it is an absolute path other than /, else the OS's idea of it. */
function userHome(home: string | undefined): string | undefined {
  const h = home && isAbsolute(home) ? resolve(home) : homedir()
  // bwrap cannot create a mount point on the read-only root: a home that does not exist stays unmounted.
  return h && h !== '/' && statSync(h, {throwIfNoEntry: false})?.isDirectory() ? h : undefined
}
