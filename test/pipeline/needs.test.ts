// `needs:`, `concurrency:` and `failFast:` as the loader builds them: implicit needs keep every
// sequential pipeline's meaning; the graph's order, edges, upstream and downstream.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {loadPipeline, loadPipelineSource} from '../../src/pipeline/load.js'
import type {ActionStep, LoopStep} from '../../src/pipeline/types.js'
import {createRegistry} from '../../src/plugins/registry.js'
import {ROOT} from '../helpers/cli.js'

const registry = createRegistry([])
const load = (yaml: string) => loadPipelineSource(yaml, 'p.yaml', {registry})

test('without needs: each step needs the one before it, the graph is the file order, concurrency 4, failFast false', async () => {
  const p = await load(`name: seq
steps:
  - id: a
    uses: noop
  - id: b
    uses: noop
  - id: l
    loop: {maxAttempts: 2, until: "true"}
    steps:
      - id: c
        uses: noop
      - id: d
        uses: noop
  - id: e
    uses: noop
`)
  assert.equal(p.steps.map(s => [s.id, s.needs, s.explicitNeeds]), [['a', [], false], ['b', ['a'], false], ['l', ['b'], false], ['e', ['l'], false]])
  const loop = p.steps[2] as LoopStep
  assert.equal(loop.steps.map(s => [s.id, s.needs]), [['c', []], ['d', ['c']]])
  assert.equal(loop.graph.order, ['c', 'd'])
  assert.equal(p.graph.order, ['a', 'b', 'l', 'e'])
  assert.equal(p.graph.edges, [['a', 'b'], ['b', 'l'], ['l', 'e']])
  assert.equal([...p.graph.upstream('e')], ['a', 'b', 'l'])
  assert.equal([...p.graph.downstream('a')], ['b', 'l', 'e'])
  assert.is(p.concurrency, 4)
  assert.is(p.failFast, false)
})

test('the seed pipelines keep their order: every step needs the one before it', async () => {
  const dir = join(ROOT, 'pipelines')
  // (plan-build-parallel-review is the one built-in written as a graph)
  const files = readdirSync(dir).filter(f => f.endsWith('.yaml') && f !== 'plan-build-parallel-review.yaml')
  assert.ok(files.length >= 3)
  for (const file of files) {
    const p = await loadPipeline(join(dir, file), {registry})
    const ids = p.steps.map(s => s.id)
    assert.equal(p.graph.order, ids, file)
    assert.equal(p.steps.map(s => s.needs), ids.map((_, i) => (i === 0 ? [] : [ids[i - 1]])), file)
    assert.ok(p.steps.every(s => !s.explicitNeeds && !(s.kind === 'action' && (s.retry || s.forEach))), file)
  }
})

test('a diamond: needs as written, needs: [] starts at once, order keeps the file order where it can', async () => {
  const p = await load(`name: diamond
concurrency: 8
failFast: true
steps:
  - id: lint
    needs: []
    uses: noop
  - id: plan
    needs: []
    uses: noop
    with: {outputs: {x: "1"}}
  - id: test
    needs: [build]
    uses: noop
    with: {outputs: {t: "{{steps.build.outputs.b}} {{steps.plan.outputs.x}}"}}
  - id: build
    needs: [plan]
    uses: noop
    with: {outputs: {b: "{{steps.plan.outputs.x}}"}}
  - id: docs
    needs: [plan]
    uses: noop
  - id: ship
    needs: [test, docs, lint]
    uses: noop
    if: steps.test.outputs.t != "" && has(steps.docs.outputs.x)
`)
  assert.is(p.concurrency, 8)
  assert.is(p.failFast, true)
  assert.equal(p.steps.map(s => s.id), ['lint', 'plan', 'test', 'build', 'docs', 'ship'], 'steps stay in file order')
  assert.equal(p.graph.order, ['lint', 'plan', 'build', 'test', 'docs', 'ship'])
  assert.equal(p.steps.map(s => [s.id, s.needs, s.explicitNeeds]), [
    ['lint', [], true],
    ['plan', [], true],
    ['test', ['build'], true],
    ['build', ['plan'], true],
    ['docs', ['plan'], true],
    ['ship', ['test', 'docs', 'lint'], true],
  ])
  assert.equal(p.graph.edges, [['build', 'test'], ['plan', 'build'], ['plan', 'docs'], ['test', 'ship'], ['docs', 'ship'], ['lint', 'ship']])
  assert.equal([...p.graph.upstream('ship')].sort(), ['build', 'docs', 'lint', 'plan', 'test'])
  assert.equal([...p.graph.upstream('test')].sort(), ['build', 'plan'])
  assert.equal([...p.graph.downstream('plan')].sort(), ['build', 'docs', 'ship', 'test'])
  assert.equal([...p.graph.downstream('ship')], [])
  assert.equal([...p.graph.upstream('nope')], [])
})

test('a loop body has its own graph; a later step that needs the loop reads its body steps', async () => {
  const p = await load(`name: loop
steps:
  - id: plan
    uses: noop
  - id: fix
    needs: [plan]
    loop: {maxAttempts: 3, until: 'steps.a.outputs.v == "ok" && steps.b.outputs.v == "ok"'}
    steps:
      - id: a
        needs: []
        uses: noop
      - id: b
        needs: []
        uses: noop
      - id: join
        needs: [a, b]
        uses: noop
        with: {outputs: {v: "{{steps.a.outputs.v}}{{steps.b.outputs.v}}{{steps.plan.outputs.x}}"}}
  - id: report
    needs: [fix]
    uses: noop
    with: {outputs: {v: "{{steps.join.outputs.v}}"}}
`)
  const loop = p.steps[1] as LoopStep
  assert.equal(loop.steps.map(s => [s.id, s.needs, s.explicitNeeds]), [['a', [], true], ['b', [], true], ['join', ['a', 'b'], true]])
  assert.equal(loop.graph.edges, [['a', 'join'], ['b', 'join']])
  assert.equal([...loop.graph.upstream('join')], ['a', 'b'])
  assert.equal(p.graph.order, ['plan', 'fix', 'report'])
  assert.equal((p.steps[2] as ActionStep).needs, ['fix'])
})

test.run()
