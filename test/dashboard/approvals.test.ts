// The dashboard's actions on runs at an approval gate, in Debian's Chromium: approve with a comment
// and see the run continue (through adw run --resume, as `adw approve` does), reject with a reason.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import {join, resolve} from 'node:path'
import type {Browser, Page} from 'playwright-core'

import {startDashboard, type Dashboard} from '../../src/dashboard/server.js'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {launchChromium} from './browser.js'

const SHOTS = process.env.ADW_UI_SCREENSHOTS ? resolve(process.env.ADW_UI_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'adw-ui-shots-'))
mkdirSync(SHOTS, {recursive: true})

const GATED = `name: gated
steps:
  - id: plan
    uses: shell
    with:
      run: echo planned
  - id: after
    uses: shell
    with:
      run: echo after the gate
`

let dir = ''
let db = ''
let ui: Dashboard | undefined
let browser: Browser | undefined
let page: Page
const errors: string[] = []

let setup: Promise<void> | undefined
const ready = () =>
  (setup ??= (async () => {
    dir = tmpDir({}, 'adw-ui-gates-')
    db = join(dir, 'orchestrator.db')
    const store = openSqliteStore(db)
    // Runs stopped at a gate as the engine leaves them: the step before it done, a pending approval, status waiting.
    for (const adwId of ['gated-a', 'gated-r']) {
      await store.createRun({adwId, pipelineName: 'gated', pipelineFile: join(dir, 'gated.yaml'), pipelineSnapshot: GATED, inputs: {}, workingDir: dir})
      const plan = await store.startStep({adwId, stepId: 'plan', stepName: 'plan', parentId: null, iteration: 0, executor: 'shell'})
      await store.finishStep(plan, {status: 'succeeded', outputs: {stdout: 'planned'}})
      await store.requestApproval({adwId, stepId: 'review_plan', iteration: 0, message: 'Approve the plan before the build?'})
      await store.finishRun(adwId, 'waiting')
    }
    await store.close()
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

test('approve from the page: the waiting run is listed with its badge, the approval is recorded with the name and comment, and the run continues', async () => {
  await ready()
  await page.goto(`${ui!.origin}/`)
  await page.locator('select[aria-label="status"]').selectOption('waiting')
  await page.waitForURL(/status=waiting/)
  await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 2)
  await page.locator('tr[data-run="gated-a"] .status', {hasText: 'waiting'}).waitFor()
  await page.locator('tr[data-run="gated-a"] a').click()
  const gate = page.locator('form.gate.pending[data-gate="review_plan"]')
  await gate.locator('.gate-msg', {hasText: 'Approve the plan before the build?'}).waitFor()
  await gate.locator('input[aria-label="decided by"]').fill('alice')
  await gate.locator('textarea[aria-label="comment"]').fill('Plan looks right')
  await page.screenshot({path: join(SHOTS, 'approval.png')})
  await gate.locator('button', {hasText: 'approve'}).click()
  await page.locator('.gate.decided[data-gate="review_plan"]', {hasText: 'review_plan approved by alice'}).waitFor()
  await page.locator('.run-head .status', {hasText: 'succeeded'}).waitFor()
  await page.locator('li.step[data-step="after"][data-status="succeeded"]').waitFor()
  await page.locator('.log .msg', {hasText: 'after the gate'}).waitFor()
  assert.match((await page.locator('.gate.decided').textContent())!, /: Plan looks right$/)
  assert.is(await page.locator('form.gate.pending').count(), 0, 'no form once decided')
  assert.equal({...rows(db, "SELECT decision, decided_by, comment FROM approvals WHERE adw_id = 'gated-a'")[0]}, {decision: 'approved', decided_by: 'alice', comment: 'Plan looks right'})
  const milestone = rows(db, "SELECT message, details FROM agent_logs WHERE adw_id = 'gated-a' AND agent_name = 'approval'")
  assert.equal(milestone.map(r => r.message), ['Step review_plan approved by alice: Plan looks right'])
  assert.is(JSON.parse(milestone[0].details).from, 'adw ui')
})

test('reject from the page needs a reason; recorded under the server’s OS user when no name is given', async () => {
  await ready()
  await page.goto(`${ui!.origin}/runs/gated-r`)
  const gate = page.locator('form.gate.pending[data-gate="review_plan"]')
  await gate.locator('button', {hasText: 'reject'}).click()
  await gate.locator('.error', {hasText: 'A rejection needs a reason'}).waitFor()
  assert.is(rows(db, "SELECT decision FROM approvals WHERE adw_id = 'gated-r'")[0].decision, null, 'nothing recorded without a reason')
  await gate.locator('textarea[aria-label="comment"]').fill('Split the migration out')
  await gate.locator('button', {hasText: 'reject'}).click()
  const me = userInfo().username
  await page.locator('.gate.decided[data-gate="review_plan"]', {hasText: `review_plan rejected by ${me}`}).waitFor()
  assert.match((await page.locator('.gate.decided').textContent())!, /: Split the migration out$/)
  assert.equal({...rows(db, "SELECT decision, decided_by, comment FROM approvals WHERE adw_id = 'gated-r'")[0]}, {decision: 'rejected', decided_by: me, comment: 'Split the migration out'})
  // The run was handed to adw run --resume, as adw reject does; let it end before the next test.
  await page.waitForFunction(() => !/waiting|running/.test(document.querySelector('.run-head .status')?.textContent ?? 'waiting'))
  assert.equal(errors, [], 'no script errors')
})

test.run()
