import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {startDashboard} from '../src/dashboard/server.js'
import {openSqliteStore} from '../src/store/sqlite.js'
import {launchChromium} from '../test/dashboard/browser.js'
import {buildHistoryDb, historyRunId} from './history-db.js'
import {median, progress, ROOT, tempDir} from './lib.js'
import {goal, ms, round, type WorkloadResult} from './report.js'

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`

/**
 * 9. `adw ui` in Debian's Chromium: the runs page over `runs` runs and the page of a run with `logRows`
 * log rows, each from navigation to rows on screen; and how long a row written by another process
 * takes to appear on an open run page (SQLite poll → SSE → DOM). Also the page's asset sizes.
 */
export async function dashboard(shape: {runs: number; logRows: number}, reps: number): Promise<WorkloadResult> {
  progress(`dashboard db: ${shape.runs} runs, one with ${shape.logRows} log rows`)
  const db = join(tempDir(), 'dashboard.db')
  buildHistoryDb(db, {runs: shape.runs, runsWithLogs: 1, logsPerRun: shape.logRows})
  const big = historyRunId(0)
  const writer = openSqliteStore(db)
  await writer.createRun({adwId: 'live', pipelineName: 'live', pipelineFile: 'live.yaml', pipelineSnapshot: '', inputs: {}, workingDir: '/tmp'})
  await writer.flush()
  const ui = await startDashboard({dbPath: db, port: 0})
  const browser = await launchChromium()
  const runsMs: number[] = []
  const runMs: number[] = []
  const liveMs: number[] = []
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 800}})
    page.setDefaultTimeout(30_000)
    await page.goto(`${ui.origin}/`) // warm: assets in the cache, the server's statements prepared
    await page.locator('tr[data-run]').first().waitFor()
    for (let i = 0; i < reps; i++) {
      progress(`dashboard: pages × ${i + 1}/${reps}`)
      let t = performance.now()
      await page.goto(`${ui.origin}/`)
      await page.locator('tr[data-run]').nth(49).waitFor()
      runsMs.push(performance.now() - t)
      t = performance.now()
      await page.goto(`${ui.origin}/runs/${big}`)
      await page.locator('.log').nth(299).waitFor()
      await page.locator('li.step').first().waitFor()
      runMs.push(performance.now() - t)
    }
    await page.goto(`${ui.origin}/runs/live`)
    await page.locator('.logs .empty').waitFor()
    for (let i = 0; i < Math.max(5, reps); i++) {
      const message = `live row ${i}`
      const t = performance.now()
      writer.log({adwId: 'live', level: 'INFO', type: 'output', message})
      await writer.flush()
      await page.locator('.log .msg', {hasText: message}).waitFor()
      liveMs.push(performance.now() - t)
    }
  } finally {
    await browser.close()
    await ui.close()
    await writer.close()
  }
  const dir = join(ROOT, 'dist/dashboard/page')
  const js = readFileSync(join(dir, 'app.js'))
  const css = readFileSync(join(dir, 'app.css'))
  const [runs, run, live] = [median(runsMs), median(runMs), median(liveMs)]
  return {
    id: '9',
    title: `adw ui: ${shape.runs.toLocaleString('en')} runs, a run with ${shape.logRows.toLocaleString('en')} log rows`,
    rows: [
      goal(`runs page: navigation → 50 rows on screen`, ms(runs, 0), '< 1000 ms', runs < 1000),
      goal(`a run's page: navigation → steps and its last 300 of ${shape.logRows.toLocaleString('en')} rows`, ms(run, 0), '< 1000 ms', run < 1000),
      goal('a row written by another process → on screen', ms(live, 0), '≤ 500 ms', live <= 500),
      {measure: 'page assets: app.js, app.css (gzip, as served)', value: `${kb(js.length)} (${kb(gzipSync(js, {level: 9}).length)}), ${kb(css.length)} (${kb(gzipSync(css, {level: 9}).length)})`},
    ],
    data: {shape, reps, samplesMs: {runs: runsMs.map(x => round(x, 1)), run: runMs.map(x => round(x, 1)), live: liveMs.map(x => round(x, 1))}, medianMs: {runs: round(runs, 1), run: round(run, 1), live: round(live, 1)}, assets: {js: js.length, css: css.length}},
  }
}
