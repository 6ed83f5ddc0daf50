// The resume reuse index (src/engine/reuse.ts) over a real loaded pipeline and the step rows a run
// leaves: which earlier run a step or forEach item is judged against, what a key covers upstream,
// how many loop iterations are done. The CLI tests (test/resume/) show the same through adw run.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {contentKey, type ContentKey} from '../../src/engine/memo.js'
import {ReuseIndex} from '../../src/engine/reuse.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import type {LoopStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'
import type {StepRow} from '../../src/store/types.js'

const registry = createRegistry()
const PIPELINE = `name: p
steps:
  - id: plan
    uses: noop
  - id: each
    forEach: '["a", "b", "c"]'
    uses: noop
  - id: side
    needs: []
    uses: noop
  - id: join
    needs: [each, side]
    uses: noop
  - id: fix
    needs: [join]
    loop: {maxAttempts: 3, until: 'steps.check.outputs.ok == true'}
    steps:
      - id: edit
        uses: noop
      - id: check
        needs: [edit]
        uses: noop
        with: {outputs: {ok: true}}
`
const load = () => loadPipelineSource(PIPELINE, 'p.yaml', {registry})

let nextId = 0
/** A step row as the store returns it. */
function row(stepId: string, status: string, opts: Partial<StepRow> = {}): StepRow {
  return {id: ++nextId, adw_id: 'r', step_id: stepId, step_name: null, parent_id: null, iteration: 0, executor: 'noop', status, started_at: '2026-01-01T00:00:00.000Z', finished_at: null, duration_ms: null, model: null,
    input_tokens: 0, output_tokens: 0, cache_creation_tokens: 0, cache_read_tokens: 0, cost_usd: 0, outputs: null, error: null, reason: null, content_key: null, key_parts: null, item_index: null, attempt: 1, ...opts} as StepRow
}
const itemKey = (item: string): ContentKey => contentKey({executor: {name: 'noop'}, options: {}, upstream: {plan: {status: 'succeeded', outputs: {}}}, item: {value: item}})
const itemRow = (item: string, index: number, status = 'succeeded') => {
  const k = itemKey(item)
  return row('each', status, {item_index: index, content_key: k.key, key_parts: JSON.stringify(k.parts), outputs: JSON.stringify({item})})
}

test('a fresh run decides nothing and finds no rows; a resume finds the latest row of each step, iteration and item', async () => {
  const pipeline = await load()
  const fresh = new ReuseIndex(pipeline, undefined)
  assert.is(fresh.decide('plan', 0, itemKey('a')), undefined)
  assert.is(fresh.get('plan', 0), undefined)
  assert.is(fresh.size, 0)
  const first = row('plan', 'failed')
  const second = row('plan', 'succeeded')
  const idx = new ReuseIndex(pipeline, [first, second, itemRow('a', 0), itemRow('b', 1, 'failed'), row('edit', 'succeeded', {iteration: 1})])
  assert.is(idx.get('plan', 0), second, 'the latest wins')
  assert.is(idx.get('each', 0, 0)?.item_index, 0)
  assert.is(idx.get('each', 0), undefined, 'an item row is not the step row')
  assert.is(idx.get('edit', 1)?.iteration, 1)
  assert.is(idx.get('edit', 0), undefined)
  assert.is(idx.size, 3, 'succeeded runs: plan, item a, edit')
})

test('what a key covers upstream: needs (by default the step before); a loop body step without needs takes the loop\'s', async () => {
  const idx = new ReuseIndex(await load(), [])
  assert.equal(idx.upstream('plan'), [])
  assert.equal(idx.upstream('each'), ['plan'])
  assert.equal(idx.upstream('side'), [])
  assert.equal(idx.upstream('join'), ['each', 'side'])
  assert.equal(idx.upstream('edit'), ['join'])
  assert.equal(idx.upstream('check'), ['edit'])
  assert.equal(idx.upstream('nope'), [])
})

test('loop iterations done: leading iterations whose every body step succeeded or was skipped, at most maxAttempts', async () => {
  const pipeline = await load()
  const loop = pipeline.steps.find(s => s.id === 'fix') as LoopStep
  const at = (id: string, iteration: number, status: string) => row(id, status, {iteration})
  assert.is(new ReuseIndex(pipeline, []).iterationsDone(loop), 0)
  assert.is(new ReuseIndex(pipeline, [at('edit', 1, 'succeeded'), at('check', 1, 'skipped'), at('edit', 2, 'succeeded'), at('check', 2, 'failed')]).iterationsDone(loop), 1)
  assert.is(new ReuseIndex(pipeline, [at('edit', 1, 'succeeded')]).iterationsDone(loop), 0, 'a body step with no row is not done')
  const all = [1, 2, 3, 4].flatMap(i => [at('edit', i, 'succeeded'), at('check', i, 'succeeded')])
  assert.is(new ReuseIndex(pipeline, all).iterationsDone(loop), 3, 'never past maxAttempts')
})

test('forEach items are matched by content key, the same index first, each earlier run taken once; the reason says where it was', async () => {
  const pipeline = await load()
  const idx = new ReuseIndex(pipeline, [itemRow('a', 0), itemRow('b', 1), itemRow('a', 2)])
  // the list is now [z, b, a, a, a]
  assert.equal(idx.decide('each', 0, itemKey('z'), 0), {reuse: false, reason: 're-run: its item changed'}, 'judged against the run at its index, which was another item')
  const b = idx.decide('each', 0, itemKey('b'), 1)!
  assert.equal([b.reuse, b.reason, b.row?.item_index], [true, 'reused: key unchanged', 1])
  const a1 = idx.decide('each', 0, itemKey('a'), 2)!
  assert.equal([a1.reuse, a1.reason, a1.row?.item_index], [true, 'reused: key unchanged', 2], 'the same index preferred')
  const a2 = idx.decide('each', 0, itemKey('a'), 3)!
  assert.equal([a2.reuse, a2.reason, a2.row?.item_index], [true, 'reused: key unchanged (item 0 before)', 0])
  assert.equal(idx.decide('each', 0, itemKey('a'), 4), {reuse: false, reason: 'run: not run before'}, 'every run of a was taken')
})

test('an item run at its own index that another item took is not judged against; failed item runs are never matched; --from wins over a match', async () => {
  const pipeline = await load()
  const idx = new ReuseIndex(pipeline, [itemRow('a', 0), itemRow('b', 1, 'failed')])
  assert.is(idx.decide('each', 0, itemKey('a'), 1)?.row?.item_index, 0, 'a moved to index 1')
  assert.equal(idx.decide('each', 0, itemKey('a'), 0), {reuse: false, reason: 'run: not run before'}, "index 0's run went to the other a")
  const failed = new ReuseIndex(pipeline, [itemRow('b', 1, 'failed')])
  assert.equal(failed.decide('each', 0, itemKey('b'), 0), {reuse: false, reason: 'run: not run before'})
  assert.equal(failed.decide('each', 0, itemKey('b'), 1), {reuse: false, reason: 're-run: failed before'})
  const forced = new ReuseIndex(pipeline, [itemRow('a', 0), itemRow('a', 1)], {samePipeline: true, from: 'each', forced: new Set(['each'])})
  assert.is(forced.forced('each'), true)
  assert.is(forced.forced('plan'), false)
  assert.equal(forced.decide('each', 0, itemKey('a'), 1), {reuse: false, reason: 're-run: --from each'})
  // another iteration or another step holds no match
  const other = new ReuseIndex(pipeline, [itemRow('a', 0)])
  assert.equal(other.decide('each', 1, itemKey('a'), 0), {reuse: false, reason: 'run: not run before'})
  assert.equal(other.decide('side', 0, itemKey('a'), 0), {reuse: false, reason: 'run: not run before'})
})

test('a step without forEach is judged against its own row only, and may be decided again (a row is not taken)', async () => {
  const pipeline = await load()
  const k = contentKey({executor: {name: 'noop'}, options: {}, upstream: {}})
  const idx = new ReuseIndex(pipeline, [row('side', 'succeeded', {content_key: k.key, key_parts: JSON.stringify(k.parts), outputs: '{}'})])
  for (let i = 0; i < 2; i++) {
    const d = idx.decide('side', 0, k)!
    assert.equal([d.reuse, d.reason, d.row?.step_id], [true, 'reused: key unchanged', 'side'])
  }
  assert.equal(idx.decide('plan', 0, k), {reuse: false, reason: 'run: not run before'})
})

test.run()
