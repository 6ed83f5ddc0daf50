// A history as a team would have after some weeks, written through the real Store (the same calls the
// engine makes), then moved back in time with SQL so the days differ.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {DatabaseSync} from 'node:sqlite'

import {openSqliteStore} from '../../src/store/sqlite.js'
import type {Store} from '../../src/store/types.js'

const PROMPTS = ['Add a /health endpoint', 'Fix the flaky login test', 'Paginate the orders API', 'Rename config keys to snake_case', 'Cache the product catalogue', 'Add CSV export to reports', 'Upgrade the SQLite driver', 'Retry webhook deliveries']
const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5']

async function agentStep(store: Store, adwId: string, stepId: string, opts: {iteration?: number; parentId?: string; model: string; cost: number; outputs?: Record<string, unknown>; tools?: string[]}): Promise<void> {
  const iteration = opts.iteration ?? 0
  const id = await store.startStep({adwId, stepId, stepName: stepId, parentId: opts.parentId ?? null, iteration, executor: 'agent'})
  store.log({adwId, stepName: stepId, iteration, level: 'INFO', type: 'milestone', message: `Step ${stepId} started`})
  for (const [n, tool] of (opts.tools ?? ['Read', 'Grep']).entries()) {
    const input = tool === 'Read' ? {path: `src/routes/api-${n}.ts`} : tool === 'Grep' ? {pattern: 'export function', path: 'src'} : {path: `src/feature-${n}.ts`, content: '…'}
    store.log({adwId, agentName: 'agent', stepName: stepId, iteration, level: 'INFO', type: 'tool_call', message: `${tool} ${Object.values(input)[0]} → ok (${120 * (n + 3)} chars)`, details: {tool, input, ok: true, durationMs: 3 + n}})
  }
  store.log({adwId, agentName: 'agent', stepName: stepId, iteration, level: 'INFO', type: 'output', message: `Working on ${stepId}: looked at the routes and their tests.`})
  await store.addUsage(id, adwId, {inputTokens: Math.round(opts.cost * 180_000), outputTokens: Math.round(opts.cost * 24_000), cacheReadTokens: Math.round(opts.cost * 90_000), costUsd: opts.cost, model: opts.model})
  store.log({adwId, stepName: stepId, iteration, level: 'INFO', type: 'cost_update', message: `$${opts.cost.toFixed(4)}`, details: {costUsd: opts.cost}})
  await store.finishStep(id, {status: 'succeeded', outputs: opts.outputs ?? {text: 'done'}, model: opts.model})
  store.log({adwId, stepName: stepId, iteration, level: 'INFO', type: 'milestone', message: `Step ${stepId} succeeded`})
  await store.flush()
}

/**
 * `runs` runs over the last `days` days (newest last): plan-build-review-fix runs whose review passes
 * at once or after 1–2 fixes, plan-build runs, and shell `check` runs (one failed); the newest run is
 * left interrupted (its recorded process is gone). Returns the ids, oldest first.
 */
export async function seedHistory(dbPath: string, opts: {runs: number; days: number; workingDir: string}): Promise<string[]> {
  const store = openSqliteStore(dbPath)
  const ids: string[] = []
  const shifts: Array<[string, number]> = []
  try {
    for (let i = 0; i < opts.runs; i++) {
      const adwId = `r${String(i).padStart(3, '0')}-${['a1', 'b7', 'c3', 'd9'][i % 4]}`
      const pipeline = i % 5 === 4 ? 'check' : i % 3 === 2 ? 'plan-build' : 'plan-build-review-fix'
      await store.createRun({adwId, pipelineName: pipeline, pipelineFile: `pipelines/${pipeline}.yaml`, pipelineSnapshot: `name: ${pipeline}`, inputs: {prompt: PROMPTS[i % PROMPTS.length]}, workingDir: opts.workingDir})
      store.log({adwId, level: 'INFO', type: 'milestone', message: `Run started: ${pipeline}`})
      const model = MODELS[i % 7 === 0 ? 1 : 0]
      let status: 'succeeded' | 'failed' = 'succeeded'
      if (pipeline === 'check') {
        const id = await store.startStep({adwId, stepId: 'lint', iteration: 0, executor: 'shell'})
        store.log({adwId, stepName: 'lint', level: 'INFO', type: 'output', message: 'eslint src --max-warnings 0'})
        const failed = i % 10 === 9
        if (failed) store.log({adwId, stepName: 'lint', level: 'ERROR', type: 'error', message: 'Step lint failed: exit code 1', details: {exitCode: 1, stderr: 'src/a.ts:3:1 no-unused-vars'}})
        await store.finishStep(id, {status: failed ? 'failed' : 'succeeded', outputs: {exitCode: failed ? 1 : 0, stdout: '', stderr: ''}, error: failed ? 'exit code 1' : null})
        status = failed ? 'failed' : 'succeeded'
      } else {
        const plan = `specs/${adwId}-plan.md`
        mkdirSync(join(opts.workingDir, 'specs'), {recursive: true})
        writeFileSync(join(opts.workingDir, plan), `# Plan: ${PROMPTS[i % PROMPTS.length]}\n\n## Summary\nAdd the route, its handler and tests.\n\n## Step by Step Tasks\n### 1. Route\n- \`src/routes/health.ts\`: return \`{ok: true}\`\n### 2. Tests\n- a request test\n\n## Validation Commands\n- \`npm test\`\n`)
        await agentStep(store, adwId, 'plan', {model, cost: 0.02 + (i % 4) * 0.01, outputs: {plan_file: plan, summary: 'Add the route and a test'}, tools: ['Read', 'Grep', 'Write']})
        await agentStep(store, adwId, 'build', {model, cost: 0.08 + (i % 5) * 0.02, tools: ['Read', 'Edit', 'Write', 'Bash']})
        if (pipeline === 'plan-build-review-fix') {
          const fixes = i % 4 === 1 ? 2 : i % 4 === 3 ? 1 : 0
          await agentStep(store, adwId, 'review', {model, cost: 0.03, outputs: fixes ? {verdict: 'FAIL', issues: ['The handler does not set Cache-Control', 'No test for the 503 case']} : {verdict: 'PASS', issues: []}})
          for (let n = 1; n <= fixes; n++) {
            await agentStep(store, adwId, 'fix', {iteration: n, parentId: 'fix_loop', model, cost: 0.04, tools: ['Read', 'Edit']})
            await agentStep(store, adwId, 'rereview', {iteration: n, parentId: 'fix_loop', model, cost: 0.02, outputs: n === fixes ? {verdict: 'PASS', issues: []} : {verdict: 'FAIL', issues: ['No test for the 503 case']}})
          }
          if (!fixes) await store.skipStep({adwId, stepId: 'fix_loop', iteration: 0, executor: 'loop', reason: 'if: steps.review.outputs.verdict != "PASS" was false'})
        }
      }
      await store.finishRun(adwId, status, status === 'failed' ? 'step lint failed: exit code 1' : null)
      store.log({adwId, level: status === 'failed' ? 'ERROR' : 'INFO', type: 'milestone', message: `Run ${status}: ${pipeline}`})
      await store.flush()
      ids.push(adwId)
      shifts.push([adwId, ((opts.runs - 1 - i) / Math.max(1, opts.runs - 1)) * (opts.days - 1) + ((i * 7) % 5) / 24])
    }
  } finally {
    await store.close()
  }
  const db = new DatabaseSync(dbPath)
  try {
    const back = (col: string) => `${col} = strftime('%Y-%m-%dT%H:%M:%fZ', julianday(${col}) - ?1)`
    db.exec('BEGIN IMMEDIATE')
    for (const [adwId, days] of shifts) {
      db.prepare(`UPDATE runs SET ${back('started_at')}, ${back('finished_at')}, ${back('heartbeat_at')} WHERE adw_id = ?2`).run(days, adwId)
      db.prepare(`UPDATE steps SET ${back('started_at')}, ${back('finished_at')} WHERE adw_id = ?2`).run(days, adwId)
      db.prepare(`UPDATE agent_logs SET ${back('created_at')} WHERE adw_id = ?2`).run(days, adwId)
    }
    layOut(db, shifts.map(([id]) => id))
    // The newest run's process died mid-build: stored as running, shown as interrupted.
    db.prepare(`UPDATE runs SET status = 'running', finished_at = NULL, duration_ms = NULL, error = NULL, pid = 2147483, current_step = NULL WHERE adw_id = ?`).run(ids.at(-1)!)
    db.prepare(`UPDATE steps SET status = 'running', finished_at = NULL, duration_ms = NULL, error = NULL WHERE id = (SELECT max(id) FROM steps WHERE adw_id = ?)`).run(ids.at(-1)!)
    db.exec('COMMIT')
  } finally {
    db.close()
  }
  return ids
}

const SECONDS: Record<string, number> = {plan: 70, build: 210, review: 45, fix: 95, rereview: 35, lint: 8}

/** Steps one after another from the run's start, with plausible durations; log rows inside their step. */
function layOut(db: DatabaseSync, ids: string[]): void {
  const iso = (ms: number) => new Date(ms).toISOString()
  for (const [n, adwId] of ids.entries()) {
    const run = db.prepare('SELECT started_at FROM runs WHERE adw_id = ?').get(adwId) as {started_at: string}
    let t = Date.parse(run.started_at) + 300
    const windows = new Map<string, [number, number]>()
    for (const s of db.prepare('SELECT id, step_id, iteration, status FROM steps WHERE adw_id = ? ORDER BY id').all(adwId) as Array<{id: number; step_id: string; iteration: number; status: string}>) {
      const ms = s.status === 'skipped' ? 0 : Math.round((SECONDS[s.step_id] ?? 20) * 1000 * (0.7 + ((n * 13 + s.id) % 7) / 10))
      db.prepare('UPDATE steps SET started_at = ?, finished_at = ?, duration_ms = ? WHERE id = ?').run(iso(t), iso(t + ms), s.status === 'skipped' ? null : ms, s.id)
      windows.set(`${s.step_id}#${s.iteration}`, [t, t + ms])
      t += ms + 200
    }
    db.prepare('UPDATE runs SET finished_at = ?, duration_ms = ?, heartbeat_at = ? WHERE adw_id = ?').run(iso(t), t - Date.parse(run.started_at), iso(t), adwId)
    const logs = db.prepare('SELECT id, step_name, iteration FROM agent_logs WHERE adw_id = ? ORDER BY id').all(adwId) as Array<{id: number; step_name: string | null; iteration: number}>
    const seen = new Map<string, number>()
    for (const l of logs) {
      const key = `${l.step_name}#${l.iteration}`
      const w = windows.get(key)
      const k = seen.get(key) ?? 0
      seen.set(key, k + 1)
      const at = w ? Math.min(w[1], w[0] + k * Math.max(1, (w[1] - w[0]) / 7)) : k === 0 ? Date.parse(run.started_at) : t
      db.prepare('UPDATE agent_logs SET created_at = ? WHERE id = ?').run(iso(at), l.id)
    }
  }
}
