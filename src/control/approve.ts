/**
 * `adw approve` and `adw reject`: record a decision on a run waiting at an approval gate, then
 * continue the run through the engine (unless --no-resume). Explicit verbs only: nothing a text
 * says can count as a decision. A run that is not waiting, a gate decided already (twice, or by its
 * timeout) or an unknown id: exit 2 and nothing changed; two deciding at once: exactly one wins.
 */
import {userInfo} from 'node:os'

import {openExistingStore, requireRun} from '../history/open.js'
import {ownerAlive} from '../store/status.js'
import type {ApprovalDecision, ApprovalRow, Store} from '../store/types.js'

export interface DecideOptions {
  dbPath: string
  adwId: string
  decision: ApprovalDecision
  stepId?: string
  /** `--comment` (approve) or `--reason` (reject). */
  comment?: string
  /** `--as`: who decides; default the OS user. */
  as?: string
}

/** The name a decision is recorded under: `--as`, else the OS user (USER when the OS has none). */
export function decider(as?: string): string {
  const given = as?.trim()
  if (given) return given
  try {
    return userInfo().username || process.env.USER || 'unknown'
  } catch {
    return process.env.USER || 'unknown'
  }
}

/** Records gates whose timeout passed (logged), as every command touching a waiting run does first. */
export async function expireGates(store: Store, adwId: string): Promise<ApprovalRow[]> {
  const expired = await store.expireApprovals(adwId)
  for (const g of expired) {
    const msg = `Approval at step ${g.step_id} timed out (no decision before ${g.timeout_at}): ${g.decision} (onTimeout: ${g.on_timeout})`
    store.log({adwId, agentName: 'approval', stepName: g.step_id, iteration: g.iteration, level: 'WARNING', type: 'milestone', message: msg, details: {decision: g.decision, by: 'timeout', timeoutAt: g.timeout_at}})
  }
  if (expired.length) await store.flush()
  return expired
}

/**
 * Records the decision (one transaction) and its milestone row; returns the decided gate, and the
 * pid of the `adw run --wait` process still waiting for it, if one is (it continues the run itself).
 */
export async function recordDecision(opts: DecideOptions): Promise<ApprovalRow & {waitingPid?: number; queue?: string}> {
  const store = await openExistingStore(opts.dbPath)
  try {
    const gate = await decideOn(store, opts)
    const waitingPid = await waitingProcess(store, opts.adwId)
    if (waitingPid !== undefined) return {...gate, waitingPid}
    // A run that came from the queue goes back there: any worker continues it.
    const run = (await store.getRun(opts.adwId))!
    return run.queue ? {...gate, queue: run.queue} : gate
  } finally {
    await store.close()
  }
}

/**
 * The pid of the `adw run --wait` process blocked at the run's gate, if one is: it sees the decision
 * and continues the run itself, so nothing else may resume it. (A run that stopped to wait has
 * finished_at; one waiting under --wait has not, and its process is alive.)
 */
export async function waitingProcess(store: Store, adwId: string): Promise<number | undefined> {
  const run = await store.getRun(adwId)
  const waiting = run !== undefined && run !== null && run.status === 'waiting' && run.finished_at === null && run.pid !== null && run.pid !== process.pid && ownerAlive(run)
  return waiting ? run.pid! : undefined
}

/**
 * The decision on an open store: expired gates first, then the decision in one transaction and its
 * milestone row. `adw approve`/`adw reject` and the dashboard both decide through this; `from` says
 * where a decision not typed at the command line came from (the row's details, e.g. `adw ui`).
 */
export async function decideOn(store: Store, opts: Omit<DecideOptions, 'dbPath'> & {from?: string}): Promise<ApprovalRow> {
  await requireRun(store, opts.adwId)
  await expireGates(store, opts.adwId)
  const by = decider(opts.as)
  const gate = await store.decideApproval({adwId: opts.adwId, stepId: opts.stepId, decision: opts.decision, by, comment: opts.comment, via: 'cli'})
  const said = gate.comment ? `: ${gate.comment}` : ''
  store.log({
    adwId: opts.adwId,
    agentName: 'approval',
    stepName: gate.step_id,
    iteration: gate.iteration,
    level: 'INFO',
    type: 'milestone',
    message: `Step ${gate.step_id} ${gate.decision} by ${by}${said}`,
    details: {decision: gate.decision, by, comment: gate.comment, at: gate.decided_at, ...(opts.from ? {from: opts.from} : {})},
  })
  await store.flush()
  return gate
}
