import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {openSqliteStore} from '../../src/store/sqlite.js'
import {call, seeded, sseEvents} from './helpers.js'

let ctx: Awaited<ReturnType<typeof seeded>>
// Not test.before: uvu reports a failing before hook as 0 of N tests with exit code 0.
let setup: Promise<void> | undefined
const ready = () => (setup ??= seeded(3).then(c => void (ctx = c)))
test.after(async () => ctx?.done())

/** Writes as an `adw run` process would (another connection), once the stream is open. */
function writeLater(fn: (store: ReturnType<typeof openSqliteStore>) => void | Promise<void>): () => void {
  return () =>
    setTimeout(async () => {
      const store = openSqliteStore(ctx.db)
      try {
        await fn(store)
      } finally {
        await store.close()
      }
    }, 300)
}

test('GET /api/events: a change event after another process writes', async () => {
  await ready()
  const events = await sseEvents(`${ctx.ui.origin}/api/events`, e => e.some(x => x.event === 'change'), {
    onOpen: writeLater(s => s.log({adwId: 'r000-a1', level: 'INFO', type: 'output', message: 'late line'})),
  })
  assert.is(events[0].event, 'hello')
})

test('GET /api/events: each change says how many runs are running, so the cost page sees a run end', async () => {
  await ready()
  const events = await sseEvents(`${ctx.ui.origin}/api/events`, e => e.filter(x => x.event === 'change').length >= 2 && e.at(-1)!.data.running < e.filter(x => x.event === 'change').at(-2)!.data.running, {
    onOpen: () =>
      setTimeout(async () => {
        const store = openSqliteStore(ctx.db)
        try {
          await store.createRun({adwId: 'ends-1', pipelineName: 'live', pipelineFile: 'live.yaml', pipelineSnapshot: '', inputs: {}, workingDir: ctx.dir})
          await new Promise(r => setTimeout(r, 600)) // the watcher polls every 150 ms: two changes, not one
          await store.finishRun('ends-1', 'succeeded')
        } finally {
          await store.close()
        }
      }, 300),
  })
  const changes = events.filter(e => e.event === 'change').map(e => e.data.running)
  assert.ok(changes.every(n => typeof n === 'number'), JSON.stringify(changes))
  assert.is(changes.at(-2)! - changes.at(-1)!, 1, `running counts: ${changes.join(', ')}`)
})

test('GET /api/runs/:id/events: the run at once, then each new log row and the new step state', async () => {
  await ready()
  const store = openSqliteStore(ctx.db)
  let stepRow = 0
  try {
    await store.createRun({adwId: 'live-1', pipelineName: 'live', pipelineFile: 'live.yaml', pipelineSnapshot: '', inputs: {prompt: 'watch me'}, workingDir: ctx.dir})
    stepRow = await store.startStep({adwId: 'live-1', stepId: 'work', iteration: 0, executor: 'shell'})
    store.log({adwId: 'live-1', stepName: 'work', level: 'INFO', type: 'output', message: 'before the stream'})
    await store.flush()
  } finally {
    await store.close()
  }
  const events = await sseEvents(
    `${ctx.ui.origin}/api/runs/live-1/events`,
    e => e.some(x => x.event === 'logs') && e.at(-1)!.event === 'run' && e.at(-1)!.data.steps[0].status === 'succeeded',
    {
      onOpen: writeLater(async s => {
        s.log({adwId: 'live-1', stepName: 'work', level: 'WARNING', type: 'output', message: 'new line <b>not html</b>', details: {n: 1}})
        await s.finishStep(stepRow, {status: 'succeeded', outputs: {exitCode: 0}})
        await s.flush()
      }),
    },
  )
  assert.is(events[0].event, 'run')
  assert.is(events[0].data.steps[0].status, 'running')
  const rows = events.filter(e => e.event === 'logs').flatMap(e => e.data)
  assert.equal(rows.map((r: any) => [r.level, r.message, r.details]), [['WARNING', 'new line <b>not html</b>', {n: 1}]], 'only rows written after the stream opened')
})

test('GET /api/runs/:id/events: afterId replays rows after it; Last-Event-ID resumes a reconnecting client', async () => {
  await ready()
  const rows = (await call(ctx.ui.origin, '/api/runs/r000-a1/logs?limit=5000')).body.rows
  const at = rows.at(-3).id
  const first = await sseEvents(`${ctx.ui.origin}/api/runs/r000-a1/events?afterId=${at}`, e => e.some(x => x.event === 'run'))
  assert.equal(first.filter(e => e.event === 'logs').flatMap(e => e.data.map((r: any) => r.id)), rows.slice(-2).map((r: any) => r.id))
  const again = await sseEvents(`${ctx.ui.origin}/api/runs/r000-a1/events`, e => e.some(x => x.event === 'run'), {headers: {'last-event-id': String(rows.at(-2).id)}})
  assert.equal(again.filter(e => e.event === 'logs').flatMap(e => e.data.map((r: any) => r.id)), [rows.at(-1).id])
  assert.is((await call(ctx.ui.origin, '/api/runs/r000-a1/events?afterId=x')).status, 400)
  assert.is((await call(ctx.ui.origin, '/api/runs/none/events')).status, 404)
})

test.run()
