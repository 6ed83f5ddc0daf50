/** `adw eval list`: the recorded evals, newest first, with how their trials stand. */
import {resolveConfig} from '../config.js'
import {dateTime, table} from '../history/format.js'
import {openExistingStore} from '../history/open.js'
import {effectiveStatus} from '../store/status.js'

export interface EvalListItem {
  evalId: string
  suite: string
  status: string
  startedAt: string
  trials: number
  passed: number
  failed: number
  undecided: number
  costUsd: number
}

export async function evalList(opts: {db?: string; cwd?: string; limit?: number}): Promise<EvalListItem[]> {
  const config = await resolveConfig({cwd: opts.cwd, db: opts.db})
  const store = await openExistingStore(config.dbPath)
  try {
    const out: EvalListItem[] = []
    for (const e of await store.listEvals({limit: opts.limit})) {
      const runs = await store.listEvalRuns(e.eval_id)
      let cost = 0
      for (const r of runs) for (const id of [r.adw_id, r.judge_adw_id]) if (id) cost += (await store.getRun(id))?.cost_usd ?? 0
      const passed = runs.filter(r => r.status === 'passed').length
      const failed = runs.filter(r => r.status === 'failed' || r.status === 'error').length
      // An eval whose process died while it ran shows as interrupted (resumable).
      const status = effectiveStatus({status: e.status === 'running' ? 'running' : 'succeeded', pid: e.pid, host: e.host}) === 'interrupted' ? 'interrupted' : e.status
      out.push({evalId: e.eval_id, suite: e.suite_name, status, startedAt: e.started_at, trials: runs.length, passed, failed, undecided: runs.length - passed - failed, costUsd: Math.round(cost * 1e6) / 1e6})
    }
    return out
  } finally {
    await store.close()
  }
}

export async function listEvals(opts: {db?: string; cwd?: string; limit?: number; json?: boolean}): Promise<string> {
  const items = await evalList(opts)
  if (opts.json) return JSON.stringify(items, null, 2)
  if (!items.length) return 'No evals recorded yet. Start one: adw eval examples/suite.yaml'
  return table(
    ['eval', 'suite', 'status', 'started', 'passed', 'failed', 'undecided', 'cost'],
    items.map(i => [i.evalId, i.suite, i.status.replace('_', ' '), dateTime(i.startedAt), String(i.passed), String(i.failed), String(i.undecided), `$${i.costUsd.toFixed(4)}`]),
  ).join('\n')
}
