import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import type {Browser, Page} from 'playwright-core'

import {startDashboard, type Dashboard} from '../../src/dashboard/server.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {spawnAdw} from '../resume/resume.helpers.js'
import {launchChromium} from './browser.js'
import {seedHistory} from './seed.js'

// The real thing: a seeded history plus a real `adw run` process, the dashboard, and Debian's Chromium.
// Screenshots go to a temp dir; ADW_UI_SCREENSHOTS=<dir> writes the README's (runs.png, run.png, cost.png).
const SHOTS = process.env.ADW_UI_SCREENSHOTS ? resolve(process.env.ADW_UI_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'adw-ui-shots-'))
mkdirSync(SHOTS, {recursive: true})

// `wait` holds until the test creates `go` (at most 60 s), so the test sees it running, then finishing.
const PIPELINE = `name: live-demo
inputs:
  prompt: {type: string, required: true}
steps:
  - id: first
    uses: shell
    with:
      run: echo first step done
  - id: wait
    uses: shell
    with:
      run: |
        echo waiting for go
        i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
        echo released line
  - id: after
    uses: shell
    with:
      run: echo after
`

let dir = ''
let db = ''
let ui: Dashboard | undefined
let browser: Browser | undefined
let page: Page
const errors: string[] = []

// Set up by the first test, not in test.before: uvu reports a failing before hook as 0 of N tests
// and exit code 0, which would pass CI with no browser at all.
let setup: Promise<void> | undefined
const ready = () =>
  (setup ??= (async () => {
    dir = tmpDir({'p.yaml': PIPELINE}, 'adw-ui-browser-')
    db = join(dir, 'orchestrator.db')
    await seedHistory(db, {runs: 24, days: 14, workingDir: dir})
    ui = await startDashboard({dbPath: db, port: 0})
    browser = await launchChromium()
    page = await browser.newPage({viewport: {width: 1280, height: 800}})
    page.setDefaultTimeout(15_000)
    page.on('pageerror', e => errors.push(e.message))
  })())

test.after(async () => {
  await browser?.close()
  await ui?.close()
  if (dir) rmDir(dir)
})

test('a running pipeline: the runs page shows it running, its step goes from running to succeeded and a new log line appears', async () => {
  await ready()
  const run = spawnAdw(dir, ['run', 'p.yaml', '--adw-id', 'live-run', '--db', db, '--prompt', 'Watch me in the browser'])
  try {
    await page.goto(`${ui!.origin}/`)
    const row = page.locator('tr[data-run="live-run"]')
    await row.locator('.status', {hasText: 'running'}).waitFor()
    await row.locator('a').click()
    await page.waitForURL(/\/runs\/live-run$/)
    const step = page.locator('li.step[data-step="wait"]')
    await page.locator('li.step[data-step="wait"][data-status="running"]').waitFor()
    await page.locator('.log .msg', {hasText: 'waiting for go'}).waitFor()
    assert.is(await page.locator('.log .msg', {hasText: 'released line'}).count(), 0)
    writeFileSync(join(dir, 'go'), '')
    await page.locator('.log .msg', {hasText: 'released line'}).waitFor({timeout: 5000})
    await page.locator('li.step[data-step="wait"][data-status="succeeded"]').waitFor({timeout: 5000})
    await page.locator('.run-head .status', {hasText: 'succeeded'}).waitFor()
    assert.is(await step.locator('.st').textContent(), 'succeeded')
    assert.is(await page.locator('#resume-cmd').textContent(), 'adw run --resume --adw-id live-run')
    await page.screenshot({path: join(tmpdir(), `adw-ui-live-run-${process.pid}.png`)})
    assert.is((await run).exitCode, 0)
  } finally {
    run.kill('SIGKILL')
  }
})

test('cancel from the run page: two clicks, the run process stops and the run shows cancelled, the request in its log', async () => {
  await ready()
  writeFileSync(join(dir, 'slow.yaml'), 'name: slow\nsteps:\n  - id: long\n    uses: shell\n    with:\n      run: echo started; sleep 60\n')
  const run = spawnAdw(dir, ['run', 'slow.yaml', '--adw-id', 'to-cancel', '--db', db])
  try {
    // Its page once its step runs (a user opens it from the runs page, where it appears by itself).
    await page.goto(`${ui!.origin}/`)
    await page.locator('tr[data-run="to-cancel"] a').click()
    await page.locator('li.step[data-step="long"][data-status="running"]').waitFor()
    await page.locator('button', {hasText: 'cancel run'}).click()
    await page.locator('button', {hasText: 'really cancel?'}).click()
    await page.locator('.run-head .status', {hasText: 'cancelled'}).waitFor()
    await page.locator('.log .msg', {hasText: 'Cancel requested by adw ui: SIGTERM to adw process'}).waitFor()
    assert.is((await run).exitCode, 130)
    assert.is(await page.locator('#resume-cmd').textContent(), 'adw run --resume --adw-id to-cancel')
  } finally {
    run.kill('SIGKILL')
  }
})

test('a run with a fix loop: steps by iteration, the selected step’s verdict and tool-call rows with their inputs, the plan as sanitized Markdown', async () => {
  await ready()
  // A plan that tries to run script: sanitized away, the Markdown itself rendered.
  writeFileSync(join(dir, 'specs/r021-b7-plan.md'), '# Plan: login\n\n## Tasks\n- **one**\n\n<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>\n')
  await page.goto(`${ui!.origin}/runs/r021-b7`)
  await page.locator('.loop-head', {hasText: 'fix_loop'}).waitFor()
  assert.equal(await page.locator('.iteration-head').allTextContents(), ['attempt 1', 'attempt 2'])
  await page.locator('li.step[data-step="review"]').click()
  await page.locator('.verdict .status', {hasText: 'FAIL'}).waitFor()
  assert.match((await page.locator('.verdict ul').textContent())!, /does not set Cache-Control/)
  await page.locator('select[aria-label="type"]').selectOption('tool_call')
  await page.waitForFunction(() => document.querySelectorAll('.log').length > 0 && document.querySelectorAll('.log').length === document.querySelectorAll('.log.t-tool_call').length)
  await page.locator('.log.t-tool_call').first().click()
  assert.match((await page.locator('.log .details').first().textContent())!, /"input": \{\s*"path": "src\/routes\/api-0.ts"/)
  await page.locator('select[aria-label="type"]').selectOption('')
  await page.locator('li.step[data-step="rereview"]').first().click()
  await page.screenshot({path: join(SHOTS, 'run.png')})

  await page.locator('.tabs button', {hasText: 'Plan'}).click()
  await page.locator('.markdown h1', {hasText: 'Plan: login'}).waitFor()
  assert.is(await page.locator('.markdown strong').textContent(), 'one')
  assert.is(await page.locator('.markdown script').count(), 0)
  assert.is(await page.locator('.markdown [onerror]').count(), 0)
  assert.is(await page.evaluate(() => (window as any).__xss), undefined)
})

test('the runs page filters by status, pipeline and text, and pages', async () => {
  await ready()
  await page.goto(`${ui!.origin}/`)
  await page.locator('tr[data-run]').first().waitFor()
  await page.screenshot({path: join(SHOTS, 'runs.png')})
  await page.locator('select[aria-label="status"]').selectOption('interrupted')
  await page.waitForURL(/status=interrupted/)
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 1)
  assert.equal(await page.locator('tr[data-run]').evaluateAll(rows => rows.map(r => r.getAttribute('data-run'))), ['r023-d9'])
  await page.locator('select[aria-label="status"]').selectOption('')
  await page.locator('select[aria-label="pipeline"]').selectOption('plan-build')
  await page.waitForFunction(() => [...document.querySelectorAll('tr[data-run] td:nth-child(3)')].every(td => td.textContent === 'plan-build') && document.querySelectorAll('tr[data-run]').length === 7)
  await page.locator('select[aria-label="pipeline"]').selectOption('')
  await page.locator('input[aria-label="search"]').fill('flaky login')
  await page.waitForURL(/q=flaky/)
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 3)
  assert.match((await page.locator('.pager').textContent())!, /1–3 of 3/)
  await page.locator('input[aria-label="search"]').fill('')
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 26)
  await page.goto(`${ui!.origin}/?offset=20`)
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 6)
  assert.match((await page.locator('.pager').textContent())!, /21–26 of 26/)
})

test('the cost page: totals, a chart per day, tables per pipeline, model and step, fix-loop iterations', async () => {
  await ready()
  await page.goto(`${ui!.origin}/`)
  await page.locator('header nav a', {hasText: 'Cost'}).click()
  await page.waitForURL(/\/cost$/)
  await page.locator('.card .big').first().waitFor()
  assert.equal(await page.locator('.card .dim:first-child').allTextContents(), ['cost', 'tokens', 'runs', 'review passed first try'])
  assert.match((await page.locator('.card .big').nth(2).textContent())!, /^26$/)
  await page.locator('.chart canvas').waitFor()
  assert.match((await page.locator('.panel', {hasText: 'Per pipeline'}).textContent())!, /plan-build-review-fix/)
  assert.match((await page.locator('.panel', {hasText: 'Per step'}).textContent())!, /build/)
  assert.ok((await page.locator('.hbar').count()) >= 2)
  await page.screenshot({path: join(SHOTS, 'cost.png')})
  assert.equal(errors, [], 'no script errors on any page')
  assert.ok(readFileSync(join(SHOTS, 'cost.png')).length > 10_000)
})

test.run()
