/**
 * The dashboard's approve and reject: the decision goes through the same function as `adw approve`
 * and `adw reject` (decideOn: expired gates first, one IMMEDIATE transaction, its milestone row),
 * then the run continues as the CLI continues it, through `adw run --resume`, here as a process of
 * its own that outlives the request (the run records itself; the page follows it over SSE).
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {decideOn} from '../control/approve.js'
import {AdwError} from '../errors.js'
import type {ApprovalDecision, ApprovalRow, Store} from '../store/types.js'
import {HttpError} from './errors.js'

/** The adw launcher of this install (the same from src/dashboard/ and from dist/chunks/). */
export const ADW_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/adw')

/** What the page sends: who (empty: the server's OS user), a comment (approve) or reason (reject), the gate. */
export interface DecisionBody {
  as?: string
  comment?: string
  step?: string
}

/** Continues a decided run; returns the pid of the process that does. */
export type Continue = (adwId: string) => number | undefined | Promise<number | undefined>

const MAX_TEXT = 4000

/** Reads and checks the JSON body of an approve/reject request: 400 with what is wrong. */
export function decisionBody(raw: unknown, decision: ApprovalDecision): DecisionBody {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'BAD_BODY', 'Send a JSON object: {"comment": "…", "as": "name"} (approve) or {"reason": "…"} (reject).')
  const body = raw as Record<string, unknown>
  const text = decision === 'approved' ? 'comment' : 'reason'
  const allowed = ['as', 'step', text]
  const extra = Object.keys(body).filter(k => !allowed.includes(k))
  if (extra.length) throw new HttpError(400, 'BAD_BODY', `Unknown field ${extra.map(k => `"${k.slice(0, 40)}"`).join(', ')}: ${decision === 'approved' ? 'approve' : 'reject'} takes ${allowed.join(', ')}.`)
  for (const k of allowed) {
    const v = body[k]
    if (v !== undefined && typeof v !== 'string') throw new HttpError(400, 'BAD_BODY', `"${k}" must be a string.`)
    if (typeof v === 'string' && v.length > MAX_TEXT) throw new HttpError(400, 'BAD_BODY', `"${k}" is longer than ${MAX_TEXT} characters.`)
  }
  const said = (body[text] as string | undefined)?.trim()
  if (decision === 'rejected' && !said) throw new HttpError(400, 'REASON_REQUIRED', 'A rejection needs a reason (as adw reject --reason does): say what should change.')
  return {as: (body.as as string | undefined)?.trim() || undefined, comment: said || undefined, step: (body.step as string | undefined)?.trim() || undefined}
}

/** Records the decision as `adw approve`/`adw reject` do; their exit-2 refusals become 409 (404 for an unknown run). */
export async function decideFromPage(store: Store, adwId: string, decision: ApprovalDecision, body: DecisionBody): Promise<ApprovalRow> {
  try {
    return await decideOn(store, {adwId, decision, stepId: body.step, comment: body.comment, as: body.as, from: 'adw ui'})
  } catch (error) {
    if (error instanceof AdwError && error.code === 'RUN_NOT_FOUND') throw new HttpError(404, 'RUN_NOT_FOUND', `No run with adw_id "${adwId.slice(0, 80)}".`)
    if (error instanceof AdwError) throw new HttpError(409, error.code, error.message)
    throw error
  }
}

/**
 * `adw run --resume --adw-id <id> --db <db>` in the run's working directory, detached. When it
 * refuses to start (exit 2: another process drives the run, its directory is gone, ...) what it said
 * is logged in the run, so the page shows why the run did not continue.
 */
export function continueWithResume(store: Store, dbPath: string): Continue {
  return async adwId => {
    const run = await store.getRun(adwId)
    // A run that came from the queue goes back there: a worker continues it (as adw approve does).
    if (run?.queue) {
      await requeueFromPage(store, dbPath, adwId, run.queue)
      return undefined
    }
    const cwd = run && existsSync(run.working_dir) ? run.working_dir : process.cwd()
    const child = spawn(ADW_BIN, ['run', '--resume', '--adw-id', adwId, '--db', dbPath], {cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)))
    child.on('error', () => undefined)
    child.on('exit', code => {
      if (code !== 2) return
      try {
        store.log({adwId, level: 'ERROR', type: 'state_change', message: `The run did not continue after the decision: ${stderr.trim().split('\n')[0] || 'adw run --resume exited 2'}`, details: {by: 'adw ui', exitCode: code}})
        store.flush().catch(() => {}) // the dashboard is closing
      } catch {
        // The dashboard is closing.
      }
    })
    child.unref()
    return child.pid
  }
}

async function requeueFromPage(store: Store, dbPath: string, adwId: string, queue: string): Promise<void> {
  try {
    const {requeueRun} = await import('../queue/submit.js')
    await requeueRun(process.env, dbPath, adwId, queue)
    store.log({adwId, level: 'INFO', type: 'state_change', message: `Back on queue ${queue} after the decision: a worker continues the run`, details: {by: 'adw ui', queue}})
  } catch (error) {
    store.log({adwId, level: 'ERROR', type: 'state_change', message: `The run did not go back on queue ${queue} after the decision: ${(error as Error).message}`, details: {by: 'adw ui'}})
  }
  await store.flush().catch(() => {}) // the dashboard may be closing
}
