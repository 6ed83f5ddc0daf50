/**
 * `adw db copy`: moves history between stores (SQLite file ⇄ Postgres, or file to file), keyed by
 * run: a run whose adw_id the target already has is left as it is there, with its steps, gates and
 * log rows; every other run lands with all of its rows in one transaction (a batch of runs per
 * transaction), so re-running copies nothing twice and an interrupted copy never leaves half a run.
 * Row ids are the target's own (steps, approvals, agent_logs and recordings keep their order; a
 * recording's step_row_id follows its step's new id). Log rows of an adw_id without a runs row are
 * copied when the target has none for it; worktree and replay records when the target has none.
 */
import {AdwError} from '../errors.js'
import {SCHEMA_VERSION} from '../store/schema.js'
import {openTables, TABLES, type Row, type Table, type TableDb} from './tables.js'

export interface CopyOptions {
  from: string
  to: string
  /** Told after each batch lands: rows copied so far of `total`. */
  progress?: (done: number, total: number) => void
  /** Rows per transaction (a run is never split). @default 5000 */
  batchRows?: number
}

export interface CopyResult {
  from: string
  to: string
  /** Rows copied, per table. */
  copied: Record<Table, number>
  /** Runs left alone because the target has them. */
  skippedRuns: number
  /** Runs copied while they were still running (their later rows are not copied by a re-run). */
  running: string[]
}

/** A run's rows in other tables (keyed by adw_id). */
const CHILDREN = ['steps', 'approvals', 'agent_logs', 'recordings'] as const
/** Tables of their own key (adw_id): a row the target has is left as it is. */
const KEYED = ['worktrees', 'replays'] as const
/** Columns the target assigns itself. */
const OWN_ID: Partial<Record<Table, string>> = {steps: 'id', approvals: 'id', agent_logs: 'id', recordings: 'id'}

export async function copyHistory(opts: CopyOptions): Promise<CopyResult> {
  const source = await openTables(opts.from, {mustExist: true})
  try {
    const target = await openTables(opts.to, {createParent: true})
    try {
      if (source.location === target.location) throw new AdwError('USAGE', `--from and --to are the same database (${source.location}); nothing to copy.`)
      return await copyBetween(source, target, opts)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}

async function copyBetween(source: TableDb, target: TableDb, opts: CopyOptions): Promise<CopyResult> {
  for (const db of [source, target]) {
    const v = await db.version()
    if (v !== SCHEMA_VERSION) throw new AdwError('DATABASE_INVALID', `${db.location} is at schema version ${v}, this adw copies version ${SCHEMA_VERSION}.`, {suggestions: ['upgrade adw where the newer database was written, then adw db migrate --db <the other>']})
  }
  const columns = Object.fromEntries(
    await Promise.all((['runs', ...KEYED, ...CHILDREN] as Table[]).map(async t => [t, (await shared(source, target, t)).filter(c => c !== OWN_ID[t])] as const)),
  ) as Record<Table, string[]>
  const have = await target.ids('runs')
  const order = await source.runOrder()
  const todo = order.filter(id => !have.has(id))
  // Log rows whose adw_id has no run (never refused by the store): copied when the target has none for it.
  const runIds = new Set(order)
  const targetLogIds = await target.ids('agent_logs')
  const orphanLogs = [...(await source.ids('agent_logs'))].filter(id => !runIds.has(id) && !targetLogIds.has(id))
  const counts = Object.fromEntries(await Promise.all(CHILDREN.map(async t => [t, await source.countsByRun(t)] as const))) as Record<(typeof CHILDREN)[number], Map<string, number>>
  const rowsOf = (id: string) => 1 + CHILDREN.reduce((n, t) => n + (counts[t].get(id) ?? 0), 0)
  const total = todo.reduce((n, id) => n + rowsOf(id), 0) + orphanLogs.reduce((n, id) => n + (counts.agent_logs.get(id) ?? 0), 0)
  const copied = Object.fromEntries(TABLES.map(t => [t, 0])) as Record<Table, number>
  const running: string[] = []
  let done = 0
  opts.progress?.(0, total)
  const limit = opts.batchRows ?? 5000
  for (let i = 0; i < todo.length; ) {
    const batch: string[] = []
    let size = 0
    while (i < todo.length && (batch.length === 0 || size + rowsOf(todo[i]) <= limit)) size += rowsOf(todo[i]), batch.push(todo[i++])
    const runs = await source.rows('runs', batch)
    const children = Object.fromEntries(await Promise.all(CHILDREN.map(async t => [t, await source.rows(t, batch)] as const))) as Record<(typeof CHILDREN)[number], Row[]>
    await target.tx(async w => {
      // A run another process wrote into the target meanwhile is skipped, with its rows.
      const landed = new Set<string>()
      for (const run of runs) if ((await w.insert('runs', columns.runs, [run], 'adw_id')) === 1) landed.add(String(run.adw_id))
      // Step ids are the target's own: recordings that name a step row are pointed at its new id.
      const steps = children.steps.filter(r => landed.has(String(r.adw_id)))
      const ids = await w.insertReturningIds('steps', columns.steps, steps)
      const stepId = new Map(steps.map((r, k) => [Number(r.id), ids[k]]))
      copied.steps += ids.length
      for (const t of ['approvals', 'agent_logs', 'recordings'] as const) {
        let rows = children[t].filter(r => landed.has(String(r.adw_id)))
        if (t === 'recordings') rows = rows.map(r => ({...r, step_row_id: r.step_row_id == null ? null : (stepId.get(Number(r.step_row_id)) ?? null)}))
        copied[t] += await w.insert(t, columns[t], rows)
      }
      copied.runs += landed.size
    })
    for (const run of runs) if (run.status === 'running') running.push(String(run.adw_id))
    done += size
    opts.progress?.(done, total)
  }
  if (orphanLogs.length > 0) {
    const rows = await source.rows('agent_logs', orphanLogs)
    await target.tx(async w => void (copied.agent_logs += await w.insert('agent_logs', columns.agent_logs, rows)))
    done += rows.length
    opts.progress?.(done, total)
  }
  for (const t of KEYED) {
    const rows = await source.rows(t, [...(await source.ids(t))])
    await target.tx(async w => void (copied[t] = await w.insert(t, columns[t], rows, 'adw_id')))
  }
  return {from: source.location, to: target.location, copied, skippedRuns: order.length - todo.length, running}
}

/** The columns both sides have, in the source's order (the same at one schema version). */
async function shared(source: TableDb, target: TableDb, table: Table): Promise<string[]> {
  const theirs = new Set(await target.columns(table))
  return (await source.columns(table)).filter(c => theirs.has(c))
}
