/**
 * One suite of Store behaviour, run against every implementation (contract-sqlite.test.ts,
 * contract-postgres.test.ts): what the engine, the history commands, resume and the dashboard rely
 * on. Each test gets a fresh, empty location (an SQLite file; a Postgres schema) and removes it.
 */
import {suite} from 'uvu'
import * as assert from 'uvu/assert'

import {AdwError} from '../../src/errors.js'
import type {Store} from '../../src/store/types.js'
import {newRun} from './fixtures.js'

export interface Location {
  /** What `openStore` takes (a file path, a URL). */
  location: string
  /** Another store on the same location (another connection, as another process would have). */
  open(): Promise<Store>
  cleanup(): Promise<void>
}

export interface StoreFactory {
  kind: 'sqlite' | 'postgres'
  fresh(): Promise<Location>
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Opens stores on a fresh location, runs `fn`, closes them and removes the location. */
async function withStores(f: StoreFactory, fn: (open: () => Promise<Store>, loc: Location) => Promise<void>): Promise<void> {
  const loc = await f.fresh()
  const opened: Store[] = []
  try {
    await fn(async () => {
      const s = await loc.open()
      opened.push(s)
      return s
    }, loc)
  } finally {
    for (const s of opened) await Promise.resolve(s.close()).catch(() => {})
    await loc.cleanup()
  }
}

async function rejects(fn: () => unknown, code: string, message?: RegExp): Promise<AdwError> {
  try {
    await fn()
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, code)
    if (message) assert.match((error as Error).message, message)
    return error as AdwError
  }
  assert.unreachable(`expected ${code}`)
  throw new Error('unreachable')
}

export function storeContract(f: StoreFactory): void {
  const test = suite(`Store contract (${f.kind})`)

  test('run lifecycle: steps, usage totals, a skip, finish with duration; RUN_EXISTS naming the location', async () => {
    await withStores(f, async open => {
      const store = await open()
      assert.is(store.kind, f.kind)
      await store.createRun(newRun('r1', {executorAliases: ['agent=claude-code'], budget: {usd: 2}, graph: [['plan', 'build']]}))
      const err = await rejects(() => store.createRun(newRun('r1')), 'RUN_EXISTS')
      assert.ok(err.message.includes(store.location), err.message)
      const step = await store.startStep({adwId: 'r1', stepId: 'plan', iteration: 0, executor: 'agent', contentKey: {key: 'k1', parts: {with: 'ab'}}})
      await store.addUsage(step, 'r1', {inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, costUsd: 0.25, model: 'claude-x'})
      await store.addUsage(step, 'r1', {inputTokens: 1, costUsd: 0.5})
      await store.finishStep(step, {status: 'succeeded', outputs: {verdict: 'approve'}})
      await store.skipStep({adwId: 'r1', stepId: 'docs', iteration: 0, reason: 'if: false', itemIndex: 2})
      await sleep(5)
      await store.finishRun('r1', 'succeeded')
      const run = (await store.getRun('r1'))!
      assert.equal([run.status, run.input_tokens, run.output_tokens, run.cache_read_tokens, run.cost_usd], ['succeeded', 101, 20, 5, 0.75])
      assert.equal([run.executor_aliases, run.budget, run.graph, run.inputs], ['["agent=claude-code"]', '{"usd":2}', '[["plan","build"]]', '{"prompt":"hi"}'])
      assert.ok(run.duration_ms! >= 5 && run.finished_at! >= run.started_at, `duration ${run.duration_ms}`)
      const steps = await store.listSteps('r1')
      assert.equal(steps.map(s => [s.step_id, s.status, s.model, s.input_tokens, s.cost_usd, s.content_key, s.item_index, s.attempt, s.reason]), [
        ['plan', 'succeeded', 'claude-x', 101, 0.75, 'k1', null, 1, null],
        ['docs', 'skipped', null, 0, 0, null, 2, 1, 'if: false'],
      ])
      assert.is(steps[0].key_parts, '{"with":"ab"}')
      assert.is(typeof steps[0].id, 'number')
      const facts = await store.stepFacts()
      assert.equal(facts.map(x => [x.step_id, x.pipeline_name, x.verdict]), [['plan', 'demo', 'approve'], ['docs', 'demo', null]])
      assert.equal(await store.stepFacts({since: '2999-01-01'}), [])
      await rejects(() => store.finishRun('nope', 'failed'), 'RUN_NOT_FOUND')
      await rejects(() => store.setRunStatus('nope', 'failed'), 'RUN_NOT_FOUND')
    })
  })

  test('listing: newest first, filters (status, pipeline, text in id or inputs, any case), paging, counts, names, step counts', async () => {
    await withStores(f, async open => {
      const store = await open()
      for (const [id, pipeline, prompt] of [['a-1', 'build', 'Fix the Login bug'], ['b-2', 'review', 'tidy'], ['c-3', 'build', '100% done_x']]) {
        await store.createRun(newRun(id, {pipelineName: pipeline, inputs: {prompt}}))
        await sleep(3)
      }
      await store.finishRun('b-2', 'failed', 'boom')
      assert.equal((await store.listRuns()).map(r => r.adw_id), ['c-3', 'b-2', 'a-1'])
      assert.equal((await store.listRuns({status: 'failed'})).map(r => [r.adw_id, r.error]), [['b-2', 'boom']])
      assert.equal((await store.listRuns({pipeline: 'build'})).map(r => r.adw_id), ['c-3', 'a-1'])
      assert.equal((await store.listRuns({text: 'login'})).map(r => r.adw_id), ['a-1'])
      assert.equal((await store.listRuns({text: '0% d'})).map(r => r.adw_id), ['c-3'])
      assert.equal((await store.listRuns({text: 'e_x'})).map(r => r.adw_id), ['c-3'], '_ is literal')
      assert.equal((await store.listRuns({text: 'e%x'})).map(r => r.adw_id), [], '% is literal')
      assert.equal((await store.listRuns({limit: 1, offset: 1})).map(r => r.adw_id), ['b-2'])
      assert.is(await store.countRuns({pipeline: 'build', limit: 1}), 2)
      assert.equal(await store.pipelineNames(), ['build', 'review'])
      assert.equal(await store.recentRunIds(2), ['c-3', 'b-2'])
      const s1 = await store.startStep({adwId: 'a-1', stepId: 'x', iteration: 0})
      await store.finishStep(s1, {status: 'failed', error: 'no'})
      await store.startStep({adwId: 'a-1', stepId: 'y', iteration: 0})
      await store.skipStep({adwId: 'c-3', stepId: 'z', iteration: 0, reason: 'r'})
      const counts = await store.stepCounts(['a-1', 'b-2', 'c-3'])
      assert.equal([...counts.keys()], ['a-1', 'c-3'])
      assert.equal([counts.get('a-1')!.total, counts.get('a-1')!.failed, counts.get('a-1')!.running, counts.get('c-3')!.skipped], [2, 1, 1, 1])
    })
  })

  test('log rows: batched (another connection sees them at flush), in order, none lost, JSON details, every filter', async () => {
    await withStores(f, async open => {
      const store = await open()
      const other = await open()
      await store.createRun(newRun('L'))
      store.log({adwId: 'L', level: 'INFO', type: 'milestone', message: 'first', details: {n: 1, s: 'é"\\'}})
      assert.equal(await other.queryLogs({adwId: 'L'}), [], 'buffered until flush')
      const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const
      for (let i = 0; i < 1234; i++) store.log({adwId: 'L', stepName: i % 2 ? 'odd' : 'even', iteration: i % 3, level: levels[i % 5], type: i % 7 ? 'output' : 'tool_call', message: `m${i}`})
      await store.flush()
      const all = await other.queryLogs({adwId: 'L'})
      assert.is(all.length, 1235)
      assert.equal(all.map(r => r.message), ['first', ...Array.from({length: 1234}, (_, i) => `m${i}`)])
      assert.ok(all.every((r, i) => i === 0 || r.id > all[i - 1].id), 'ids increase')
      assert.equal(JSON.parse(all[0].details!), {n: 1, s: 'é"\\'})
      assert.is(all[1].details, null)
      assert.equal([all[2].step_name, all[2].iteration, all[2].log_level, all[2].agent_name], ['odd', 1, 'INFO', null])
      assert.is((await other.queryLogs({adwId: 'L', level: 'ERROR'})).length, Math.ceil((1234 - 3) / 5))
      assert.ok((await other.queryLogs({adwId: 'L', minLevel: 'ERROR'})).every(r => r.log_level === 'ERROR' || r.log_level === 'CRITICAL'))
      assert.is((await other.queryLogs({adwId: 'L', minLevel: 'ERROR'})).length, 493)
      assert.is((await other.queryLogs({adwId: 'L', step: 'odd', type: 'tool_call'})).length, all.filter(r => r.step_name === 'odd' && r.log_type === 'tool_call').length)
      assert.equal((await other.queryLogs({adwId: 'L', limit: 2})).map(r => r.message), ['m1232', 'm1233'])
      assert.equal((await other.queryLogs({adwId: 'L', afterId: all[1232].id})).map(r => r.message), ['m1232', 'm1233'])
      assert.equal((await other.queryLogs({adwId: 'L', afterId: all[0].id, head: 2})).map(r => r.message), ['m0', 'm1'])
      assert.equal((await other.queryLogs({adwId: 'L', beforeId: all[2].id})).map(r => r.message), ['first', 'm0'])
      assert.throws(() => store.log({adwId: 'L', level: 'LOUD' as never, type: 'output', message: 'x'}), /Invalid log level/)
      // The buffer writes itself on its timer, with nobody flushing.
      store.log({adwId: 'L', level: 'INFO', type: 'output', message: 'timer'})
      const deadline = Date.now() + 5000
      while ((await other.queryLogs({adwId: 'L', limit: 1}))[0].message !== 'timer') {
        assert.ok(Date.now() < deadline, 'the timer flushed within 5 s')
        await sleep(50)
      }
    })
  })

  test('deferred writes: a step end and the current step reach others at flush; this store reads them at once; close writes the rest', async () => {
    await withStores(f, async (open, loc) => {
      const store = await open()
      const other = await open()
      await store.createRun(newRun('D'))
      const id = await store.startStep({adwId: 'D', stepId: 'a', iteration: 0})
      await store.finishStep(id, {status: 'succeeded', outputs: {x: 1}})
      await store.setCurrentStep('D', 'b')
      assert.is((await other.listSteps('D'))[0].status, 'running')
      assert.equal([(await store.listSteps('D'))[0].status, (await store.getRun('D'))!.current_step], ['succeeded', 'b'])
      assert.is((await other.listSteps('D'))[0].outputs, '{"x":1}')
      const bug = await Promise.resolve().then(() => store.finishStep(999_999, {status: 'failed'})).then(() => undefined, (e: Error) => e)
      assert.match(String(bug?.message), /no step row 999999/, 'an unknown row throws at once')
      store.log({adwId: 'D', level: 'INFO', type: 'output', message: 'last words'})
      await store.close()
      const again = await loc.open()
      try {
        assert.equal((await again.queryLogs({adwId: 'D'})).map(r => r.message), ['last words'])
      } finally {
        await again.close()
      }
    })
  })

  test('claimRun: a live owner is RUN_LOCKED; a dead one is taken over, its running steps closed as interrupted; succeeded stays unless reopened', async () => {
    await withStores(f, async open => {
      const store = await open()
      await store.createRun(newRun('C'))
      await store.startStep({adwId: 'C', stepId: 'build', iteration: 2})
      await store.flush()
      const locked = await rejects(() => store.claimRun('C'), 'RUN_LOCKED', /still being driven by adw process/)
      assert.ok(locked.message.includes(store.location))
      await rejects(() => store.claimRun('missing'), 'RUN_NOT_FOUND')
      // The owner dies: a pid that is not alive on this host.
      const other = await open()
      await other.setRunStatus('C', 'running')
      await forgePid(store, 'C')
      const claim = await other.claimRun('C')
      assert.equal([claim.previous.status, claim.interruptedSteps], ['interrupted', ['build#2']])
      const [step] = await other.listSteps('C')
      assert.equal([step.status, step.duration_ms! >= 0, step.finished_at! >= step.started_at], ['interrupted', true, true])
      assert.match(step.error!, /^interrupted: adw process 2147483 on .* stopped while this step was running/)
      const run = (await other.getRun('C'))!
      assert.equal([run.status, run.pid, run.finished_at], ['running', process.pid, null])
      await other.finishRun('C', 'succeeded')
      const kept = await other.claimRun('C')
      assert.equal([kept.previous.status, (await other.getRun('C'))!.status], ['succeeded', 'succeeded'])
      await other.claimRun('C', {reopen: true, pipeline: {name: 'p2', file: '/x/p2.yaml', snapshot: 'name: p2'}})
      assert.equal(Object.values((({status, pipeline_name, pipeline_file, pipeline_snapshot}) => ({status, pipeline_name, pipeline_file, pipeline_snapshot}))((await store.getRun('C'))!)), ['running', 'p2', '/x/p2.yaml', 'name: p2'])
    })
  })

  test('the queue: a queued run has no owner; a worker claims it once (start time, working dir); cancel requests reach the heartbeat', async () => {
    await withStores(f, async open => {
      const store = await open()
      await store.createRun(newRun('Q', {queue: 'default'}))
      const queued = (await store.getRun('Q'))!
      assert.equal([queued.status, queued.queue, queued.pid, queued.host, queued.heartbeat_at], ['queued', 'default', null, null, null])
      await sleep(3)
      const claim = await store.claimRun('Q', {worker: true, workingDir: '/srv/checkout'})
      assert.is(claim.previous.status, 'queued')
      const run = (await store.getRun('Q'))!
      assert.equal([run.status, run.pid, run.working_dir, run.started_at > queued.started_at], ['running', process.pid, '/srv/checkout', true])
      // A second worker is refused while this process drives it.
      await rejects(async () => (await open()).claimRun('Q', {worker: true}), 'RUN_LOCKED')
      assert.is(await store.heartbeat('Q'), undefined)
      const asked = await store.requestCancel('Q', 'ann')
      assert.equal([asked.status, asked.cancel_requested_by], ['running', 'ann'])
      assert.equal((await store.heartbeat('Q'))?.by, 'ann')
      // A queued run is cancelled at once; a worker's claim then leaves it alone.
      await store.createRun(newRun('Q2', {queue: 'default'}))
      const cancelled = await store.requestCancel('Q2', 'bob')
      assert.equal([cancelled.status, cancelled.error, cancelled.finished_at !== null], ['cancelled', 'cancelled before a worker took it', true])
      const left = await store.claimRun('Q2', {worker: true})
      assert.equal([left.previous.status, (await store.getRun('Q2'))!.status], ['cancelled', 'cancelled'])
      await rejects(() => store.requestCancel('nope', 'x'), 'RUN_NOT_FOUND')
      assert.equal((await store.listRuns({status: 'queued'})).map(r => r.adw_id), [])
    })
  })

  test('budgets and active time are recorded; heartbeat moves', async () => {
    await withStores(f, async open => {
      const store = await open()
      await store.createRun(newRun('B'))
      const before = (await store.getRun('B'))!.heartbeat_at!
      await sleep(3)
      await store.heartbeat('B')
      await store.setRunBudget('B', {budget: {usd: 5, minutes: 2}, activeMs: 1234.4})
      const run = (await store.getRun('B'))!
      assert.equal([run.budget, run.active_ms, run.heartbeat_at! > before], ['{"usd":5,"minutes":2}', 1234, true])
      await store.setRunBudget('B', {budget: null})
      assert.is((await store.getRun('B'))!.budget, null)
      await rejects(() => store.setRunBudget('nope', {activeMs: 1}), 'RUN_NOT_FOUND')
    })
  })

  test('approvals: a gate is created once; of two deciding at once exactly one wins; approvers and timeouts hold', async () => {
    await withStores(f, async open => {
      const a = await open()
      const b = await open()
      await a.createRun(newRun('G'))
      const gate = await a.requestApproval({adwId: 'G', stepId: 'ok', iteration: 0, message: 'Ship?', approvers: ['ann', 'bob']})
      assert.equal((await a.requestApproval({adwId: 'G', stepId: 'ok', iteration: 0, message: 'again'})).id, gate.id)
      await rejects(() => a.decideApproval({adwId: 'G', decision: 'approved', by: 'ann'}), 'APPROVAL_INVALID', /not waiting/)
      await a.setRunStatus('G', 'waiting')
      await rejects(() => a.decideApproval({adwId: 'G', decision: 'approved', by: 'eve'}), 'APPROVAL_INVALID', /its approvers are ann, bob/)
      const results = await Promise.allSettled([a.decideApproval({adwId: 'G', decision: 'approved', by: 'ann'}), b.decideApproval({adwId: 'G', decision: 'rejected', by: 'bob', comment: 'no'})])
      const won = results.filter(r => r.status === 'fulfilled')
      assert.is(won.length, 1, JSON.stringify(results.map(r => r.status)))
      const lost = results.find(r => r.status === 'rejected') as PromiseRejectedResult
      assert.is(lost.reason.code, 'APPROVAL_INVALID')
      const final = (await b.getApproval('G', 'ok', 0))!
      assert.equal(final.decision, (won[0] as PromiseFulfilledResult<any>).value.decision)
      assert.is(final.decided_via, 'cli')
      await a.requestApproval({adwId: 'G', stepId: 'later', iteration: 1, message: 'm', timeoutAt: '2000-01-01T00:00:00.000Z', onTimeout: 'approve'})
      const expired = await a.expireApprovals('G')
      assert.equal(expired.map(g => [g.step_id, g.decision, g.decided_by, g.decided_via]), [['later', 'approved', 'timeout', 'timeout']])
      assert.equal((await b.listApprovals('G')).map(g => g.step_id), ['ok', 'later'])
      await rejects(() => a.decideApproval({adwId: 'nope', decision: 'approved', by: 'x'}), 'RUN_NOT_FOUND')
    })
  })

  test('worktrees: recorded, replaced, listed newest first, removed and restored', async () => {
    await withStores(f, async open => {
      const store = await open()
      const w = (id: string, branch: string) => ({adwId: id, repo: '/r', baseRef: 'HEAD', baseCommit: 'abc', branch, path: `/r/.adw/worktrees/${id}`})
      await store.recordWorktree(w('w1', 'adw/w1'))
      await sleep(3)
      await store.recordWorktree(w('w2', 'adw/w2'))
      await sleep(3)
      await store.recordWorktree(w('w1', 'adw/w1b'))
      assert.equal((await store.listWorktrees()).map(x => [x.adw_id, x.branch]), [['w1', 'adw/w1b'], ['w2', 'adw/w2']])
      await store.setWorktreeRemoved('w2', '2026-01-01T00:00:00.000Z')
      assert.equal((await store.listWorktrees()).map(x => x.adw_id), ['w1'])
      assert.equal((await store.listWorktrees({removed: true})).map(x => x.adw_id).sort(), ['w1', 'w2'])
      assert.is((await store.getWorktree('w1'))!.pid, process.pid)
      await store.setWorktreeRemoved('w2', null)
      assert.is((await store.getWorktree('w2'))!.removed_at, null)
    })
  })

  test('recordings and replays: stored as given, listed oldest first; a second replay record updates its figures', async () => {
    await withStores(f, async open => {
      const store = await open()
      await store.createRun(newRun('R'))
      const step = await store.startStep({adwId: 'R', stepId: 'agent', iteration: 0})
      await store.recordExchange({adwId: 'R', kind: 'base', response: '{"commit":"abc","dirty":false}'})
      await store.recordExchange({adwId: 'R', stepRowId: step, stepId: 'agent', turn: 1, kind: 'messages', requestHash: 'h1', request: '{"m":1}', response: '{"content":[]}'})
      const rec = await store.listRecordings('R')
      assert.equal(rec.map(r => [r.kind, r.turn, r.step_row_id, r.request_hash, r.bytes, r.attempt]), [['base', 0, null, null, 30, 1], ['messages', 1, step, 'h1', 21, 1]])
      assert.equal(await store.listRecordings('other'), [])
      await store.recordReplay({adwId: 'R2', replayOf: 'R', served: 1})
      await store.recordReplay({adwId: 'R2', replayOf: 'R', served: 2, live: 1, divergences: [{stepId: 'agent', iteration: 0, turn: 2, message: 'diverged at turn 2'}]})
      const replay = (await store.getReplay('R2'))!
      assert.equal([replay.replay_of, replay.served, replay.live, JSON.parse(replay.divergences!)[0].turn], ['R', 2, 1, 2])
      assert.is(await store.getReplay('R'), undefined)
    })
  })

  test("changeToken changes when another connection writes, and not without a write", async () => {
    await withStores(f, async open => {
      const viewer = await open()
      const writer = await open()
      const t0 = await viewer.changeToken()
      await sleep(50)
      assert.is(await viewer.changeToken(), t0, 'no write, same token')
      await writer.createRun(newRun('T'))
      const deadline = Date.now() + 3000
      while ((await viewer.changeToken()) === t0) {
        assert.ok(Date.now() < deadline, 'the token changed within 3 s')
        await sleep(20)
      }
    })
  })

  test('two stores writing at once lose nothing: every run, step and log row lands', async () => {
    await withStores(f, async open => {
      const stores = [await open(), await open()]
      await Promise.all(
        stores.map(async (s, k) => {
          for (let r = 0; r < 5; r++) {
            const id = `p${k}-${r}`
            await s.createRun(newRun(id))
            for (let i = 0; i < 4; i++) {
              const step = await s.startStep({adwId: id, stepId: `s${i}`, iteration: 0})
              for (let j = 0; j < 25; j++) s.log({adwId: id, level: 'INFO', type: 'output', message: `${i}.${j}`})
              await s.addUsage(step, id, {inputTokens: 1, costUsd: 0.001})
              await s.finishStep(step, {status: 'succeeded'})
              await s.flush()
            }
            await s.finishRun(id, 'succeeded')
          }
        }),
      )
      const check = await open()
      assert.is(await check.countRuns({status: 'succeeded'}), 10)
      for (const run of await check.listRuns()) {
        assert.is(run.input_tokens, 4, run.adw_id)
        assert.is((await check.listSteps(run.adw_id)).filter(s => s.status === 'succeeded').length, 4)
        assert.equal((await check.queryLogs({adwId: run.adw_id})).map(l => l.message), Array.from({length: 100}, (_, n) => `${Math.floor(n / 25)}.${n % 25}`))
      }
    })
  })

  return test.run()
}

/** Records a pid that is not alive on this host as the run's owner (a process that died). */
async function forgePid(store: Store, adwId: string): Promise<void> {
  const s = store as unknown as {kind: string; location: string}
  if (s.kind === 'sqlite') {
    const {DatabaseSync} = await import('node:sqlite')
    const db = new DatabaseSync(s.location)
    db.prepare('UPDATE runs SET pid = 2147483 WHERE adw_id = ?').run(adwId)
    db.close()
  } else {
    const {psqlAt} = await import('../helpers/pg.js')
    await psqlAt(s.location, 'UPDATE runs SET pid = 2147483 WHERE adw_id = $1', [adwId])
  }
}
