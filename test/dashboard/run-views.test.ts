// A run's page in Debian's Chromium with real `adw run` processes: opened before its run exists it
// shows the run once it starts; the graph view draws a diamond pipeline's needs: edges and follows
// its steps' statuses live (running, succeeded, skipped with the reason).
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import type {Browser, Page} from 'playwright-core'

import {startDashboard, type Dashboard} from '../../src/dashboard/server.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {spawnAdw} from '../resume/resume.helpers.js'
import {launchChromium} from './browser.js'

const SHOTS = process.env.ADW_UI_SCREENSHOTS ? resolve(process.env.ADW_UI_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'adw-ui-shots-'))
mkdirSync(SHOTS, {recursive: true})

const shell = (id: string, run: string, extra = '') => `  - id: ${id}\n${extra}    uses: shell\n    with:\n      run: ${run}\n`
// c holds until the test creates `go` (at most 60 s), so the graph is seen mid-run.
const DIAMOND =
  'name: diamond\nsteps:\n' +
  shell('a', 'echo a') +
  shell('b', 'echo b', '    needs: [a]\n') +
  shell('c', `i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo c`, '    needs: [a]\n') +
  shell('d', 'echo d', '    needs: [b, c]\n') +
  shell('e', 'echo e', '    needs: [d]\n    if: steps.d.outputs.stdout == "never"\n')

let dir = ''
let db = ''
let ui: Dashboard | undefined
let browser: Browser | undefined
let page: Page
const errors: string[] = []

let setup: Promise<void> | undefined
const ready = () =>
  (setup ??= (async () => {
    dir = tmpDir({'quick.yaml': `name: quick\nsteps:\n${shell('hello', 'echo hello from later')}`, 'diamond.yaml': DIAMOND}, 'adw-ui-views-')
    db = join(dir, 'orchestrator.db')
    // The database exists before the dashboard starts (adw ui needs one); no run in it yet.
    const first = await spawnAdw(dir, ['run', 'quick.yaml', '--adw-id', 'earlier', '--db', db])
    assert.is(first.exitCode, 0, first.stderr)
    ui = await startDashboard({dbPath: db, port: 0})
    browser = await launchChromium()
    page = await browser.newPage({viewport: {width: 1280, height: 760}})
    page.setDefaultTimeout(15_000)
    page.on('pageerror', e => errors.push(e.message))
  })())

test.after(async () => {
  await browser?.close()
  await ui?.close()
  if (dir) rmDir(dir)
})

test('a run page opened before its run exists waits, then shows the run once it starts', async () => {
  await ready()
  await page.goto(`${ui!.origin}/runs/later-run`)
  await page.locator('.waiting-for-run', {hasText: 'No run later-run yet'}).waitFor()
  const run = spawnAdw(dir, ['run', 'quick.yaml', '--adw-id', 'later-run', '--db', db])
  try {
    await page.locator('.run-head h1', {hasText: 'later-run'}).waitFor()
    await page.locator('li.step[data-step="hello"][data-status="succeeded"]').waitFor()
    await page.locator('.run-head .status', {hasText: 'succeeded'}).waitFor()
    await page.locator('.log .msg', {hasText: 'hello from later'}).waitFor()
    assert.is((await run).exitCode, 0)
  } finally {
    run.kill('SIGKILL')
  }
})

test('the graph: a diamond pipeline’s needs as edges, each step’s status live, the skipped one with its reason', async () => {
  await ready()
  const run = spawnAdw(dir, ['run', 'diamond.yaml', '--adw-id', 'diamond-run', '--db', db])
  try {
    await page.goto(`${ui!.origin}/runs/diamond-run?view=graph`)
    const node = (id: string, status: string) => page.locator(`.graph g.node[data-step="${id}"][data-status="${status}"]`)
    await node('c', 'running').waitFor()
    await node('b', 'succeeded').waitFor()
    assert.is(await node('d', 'pending').count(), 1, 'd waits for b and c')
    const edges = await page.locator('.graph path.edge').evaluateAll(ps => ps.map(p => p.getAttribute('data-edge')).sort())
    assert.equal(edges, ['a->b', 'a->c', 'b->d', 'c->d', 'd->e'])
    writeFileSync(join(dir, 'go'), '')
    await node('d', 'succeeded').waitFor()
    await node('e', 'skipped').waitFor()
    await page.locator('.run-head .status', {hasText: 'succeeded'}).waitFor()
    assert.match((await node('e', 'skipped').locator('.n-facts').textContent())!, /^if: steps\.d\.outputs\.stdout/)
    assert.match((await node('c', 'succeeded').locator('.n-facts').textContent())!, /^\d+(\.\d+)?(ms|s)/, 'its duration')
    await page.screenshot({path: join(SHOTS, 'graph.png')})
    // A click on a node selects its step: its log rows.
    await node('d', 'succeeded').click()
    await page.locator('.tabs button.active', {hasText: 'Logs · d'}).waitFor()
    assert.is((await run).exitCode, 0)
  } finally {
    run.kill('SIGKILL')
  }
  assert.equal(errors, [], 'no script errors')
})

test.run()
