/**
 * A finished run's events, rebuilt from the store for `adw trace`: its run row, step rows (loop
 * groups from their parent ids) and its cost_update / tool_call log rows, in the order the engine
 * emitted them. Fed to the same SpanBuilder as a live run, they give the same span tree.
 */
import type {EngineEvent} from '../engine/events.js'
import type {LogRow, RunRow, StepRow} from '../store/types.js'

/** Among events of the same millisecond, the order the engine emits them in. */
const RANK: Record<EngineEvent['type'], number> = {'run:start': 0, 'loop:start': 1, 'loop:iteration': 2, 'step:start': 3, 'step:progress': 4, log: 4, 'step:end': 5, 'step:retry': 5, 'step:wait': 5, 'run:waiting': 5, 'loop:end': 6, 'run:end': 7}

export function replayEvents(run: RunRow, steps: StepRow[], logs: LogRow[]): EngineEvent[] {
  const adwId = run.adw_id
  const end = run.finished_at ?? steps.reduce((t, s) => (s.finished_at && s.finished_at > t ? s.finished_at : t), run.started_at)
  const events: EngineEvent[] = [{type: 'run:start', adwId, pipeline: run.pipeline_name, workingDir: run.working_dir, db: '', outline: [], time: run.started_at}]

  const loops = new Map<string, StepRow[]>()
  const fanOuts = new Map<string, StepRow[]>()
  // The rows of a step that retried carry their attempt (as the live events of a step with retry: do).
  const retried = new Set(steps.filter(s => s.attempt > 1).map(s => `${s.step_id}#${s.iteration}`))
  for (const s of steps) {
    if (s.item_index !== null) fanOuts.set(`${s.step_id}#${s.iteration}`, [...(fanOuts.get(`${s.step_id}#${s.iteration}`) ?? []), s])
    if (s.parent_id) loops.set(s.parent_id, [...(loops.get(s.parent_id) ?? []), s])
    if (s.executor === 'loop' && s.status === 'skipped') {
      events.push({type: 'loop:end', adwId, stepId: s.step_id, iterations: 0, outcome: 'skipped', ...(s.reason ? {reason: s.reason} : {}), time: s.started_at})
      continue
    }
    const usage = {inputTokens: s.input_tokens, outputTokens: s.output_tokens, cacheCreationTokens: s.cache_creation_tokens, cacheReadTokens: s.cache_read_tokens, costUsd: s.cost_usd, ...(s.model ? {model: s.model} : {})}
    const position = {...(s.item_index !== null ? {index: s.item_index} : {}), ...(retried.has(`${s.step_id}#${s.iteration}`) ? {attempt: s.attempt} : {})}
    const common = {adwId, stepId: s.step_id, iteration: s.iteration, ...(s.parent_id ? {parentId: s.parent_id} : {}), ...position}
    if (s.status !== 'skipped') events.push({type: 'step:start', ...common, ...(s.step_name ? {name: s.step_name} : {}), executor: s.executor ?? '', time: s.started_at})
    events.push({
      type: 'step:end',
      ...common,
      status: s.status === 'running' ? 'interrupted' : s.status,
      durationMs: s.duration_ms ?? 0,
      ...(s.input_tokens || s.output_tokens || s.cost_usd ? {usage} : {}),
      ...(s.error ? {error: s.error} : {}),
      ...(s.reason ? {reason: s.reason} : {}),
      time: s.finished_at ?? end,
    })
  }
  for (const [loopId, rows] of loops) {
    const iterations = [...new Set(rows.map(r => r.iteration))].sort((a, b) => a - b)
    const first = (it: number) => rows.filter(r => r.iteration === it).reduce((t, r) => (r.started_at < t ? r.started_at : t), '\uffff')
    const last = rows.reduce((t, r) => ((r.finished_at ?? end) > t ? r.finished_at ?? end : t), '')
    const max = Math.max(...iterations)
    events.push({type: 'loop:start', adwId, stepId: loopId, maxAttempts: max, time: first(iterations[0])})
    for (const it of iterations) events.push({type: 'loop:iteration', adwId, stepId: loopId, iteration: it, maxAttempts: max, time: first(it)})
    const failed = rows.some(r => r.status === 'failed' || r.status === 'cancelled' || r.status === 'interrupted')
    const exhausted = logs.some(l => l.step_name === loopId && l.log_type === 'milestone' && / exhausted: /.test(l.message))
    events.push({type: 'loop:end', adwId, stepId: loopId, iterations: max, outcome: failed ? 'failed' : exhausted ? 'exhausted' : 'satisfied', time: last})
  }
  // A fan-out ends after its items: with their count and the worst of their statuses.
  for (const rows of fanOuts.values()) {
    const last = rows.reduce((t, r) => ((r.finished_at ?? end) > t ? r.finished_at ?? end : t), '')
    // Each item by its last attempt: a failure that a retry made good is not the fan-out's.
    const lastTry = [...new Map(rows.map(r => [r.item_index, r] as const)).values()]
    const items = lastTry.length
    const status = lastTry.some(r => r.status === 'failed') ? 'failed' : lastTry.some(r => r.status === 'cancelled' || r.status === 'running') ? 'cancelled' : lastTry.every(r => r.status === 'skipped') ? 'skipped' : 'succeeded'
    const [first] = rows
    events.push({type: 'step:end', adwId, stepId: first.step_id, iteration: first.iteration, ...(first.parent_id ? {parentId: first.parent_id} : {}), status, durationMs: 0, items, time: last})
  }
  for (const l of logs) {
    if (l.log_type !== 'cost_update' && l.log_type !== 'tool_call') continue
    let details: unknown
    try {
      details = l.details ? JSON.parse(l.details) : undefined
    } catch {
      details = undefined
    }
    events.push({type: 'log', adwId, ...(l.step_name ? {stepId: l.step_name} : {}), iteration: l.iteration, level: l.log_level, logType: l.log_type, message: l.message, ...(details === undefined ? {} : {details}), time: l.created_at})
  }
  events.push({
    type: 'run:end',
    adwId,
    status: run.status === 'running' ? 'interrupted' : run.status,
    durationMs: run.duration_ms ?? Date.parse(end) - Date.parse(run.started_at),
    totals: {inputTokens: run.input_tokens, outputTokens: run.output_tokens, cacheCreationTokens: run.cache_creation_tokens, cacheReadTokens: run.cache_read_tokens, costUsd: run.cost_usd},
    ...(run.error ? {error: run.error} : {}),
    time: end,
  })
  // Stable: among equal times and ranks, the order above (steps by row id, logs by id).
  return events.map((e, i) => ({e, i})).sort((a, b) => (a.e.time < b.e.time ? -1 : a.e.time > b.e.time ? 1 : RANK[a.e.type] - RANK[b.e.type] || a.i - b.i)).map(x => x.e)
}
