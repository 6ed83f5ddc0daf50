/**
 * A command target: the program and its arguments split by execa's parseCommandString (spaces
 * separate arguments, a backslash escapes one; no shell ever parses it), run with the event JSON on
 * stdin and ADW_EVENT / ADW_ID in its environment, for at most COMMAND_TIMEOUT_MS.
 */
import {execa, parseCommandString} from 'execa'
import type {CommandTarget} from './resolve.js'

export const COMMAND_TIMEOUT_MS = 30_000

export interface CommandResult {
  ok: boolean
  exitCode?: number
  /** Why it failed: exit status, not found, timed out; with the last line of stderr. */
  error?: string
  durationMs: number
}

export async function runCommand(target: CommandTarget, body: string, env: Readonly<Record<string, string | undefined>>, meta: {event: string; adwId: string; cwd?: string}): Promise<CommandResult> {
  const started = Date.now()
  const [file, ...args] = parseCommandString(target.command)
  const r = await execa(file, args, {
    input: body,
    env: {...env, ADW_EVENT: meta.event, ADW_ID: meta.adwId},
    extendEnv: false,
    cwd: meta.cwd,
    reject: false,
    timeout: COMMAND_TIMEOUT_MS,
    forceKillAfterDelay: 2000,
    stdout: 'ignore',
    stripFinalNewline: true,
  })
  const durationMs = Date.now() - started
  if (!r.failed) return {ok: true, exitCode: r.exitCode, durationMs}
  const tail = String(r.stderr ?? '').trim().split('\n').at(-1)?.slice(0, 300)
  const why = r.timedOut ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s` : (r as {code?: string}).code === 'ENOENT' ? `${file}: not found` : `exit ${r.exitCode ?? r.signal}`
  return {ok: false, ...(r.exitCode !== undefined ? {exitCode: r.exitCode} : {}), error: tail ? `${why}: ${tail}` : why, durationMs}
}
