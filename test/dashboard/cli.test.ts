import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {adw, ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {seedHistory} from './seed.js'

let dir = ''
let db = ''
test.before(async () => {
  dir = tmpDir({}, 'adw-ui-cli-')
  db = join(dir, 'orchestrator.db')
  await seedHistory(db, {runs: 10, days: 5, workingDir: dir})
})
test.after(() => rmDir(dir))

/** Starts `adw ui …` and resolves with the URL it prints and the process. */
async function startUi(args: string[]) {
  const sub = execa(ADW, ['ui', ...args], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s: ${out}`)), 20_000)
    sub.stdout!.on('data', (c: Buffer) => {
      out += c
      const m = out.match(/adw ui: (http:\/\/\S+)/)
      if (m) clearTimeout(timer), resolve(m[1])
    })
    sub.catch(reject)
  })
  return {sub, url, out: () => out}
}

test('adw ui serves the API and the page, says where, and stops cleanly on Ctrl-C', async () => {
  const {sub, url, out} = await startUi(['--port', '0', '--db', db])
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.match(out(), /database .*orchestrator\.db; Ctrl-C to stop/)
    const runs = await (await fetch(`${url}api/runs?limit=2`)).json()
    assert.is(runs.total, 10)
    assert.match(await (await fetch(url)).text(), /<div id="app">/)
  } finally {
    sub.kill('SIGINT')
  }
  const r = await sub
  assert.is(r.exitCode, 0, String(r.stderr))
})

test('adw ui --host 0.0.0.0 prints a URL with a fresh token; requests without it are refused', async () => {
  const {sub, url, out} = await startUi(['--port', '0', '--host', '0.0.0.0', '--db', db])
  try {
    const m = url.match(/^http:\/\/0\.0\.0\.0:(\d+)\/\?token=([\w-]{40,})$/)
    assert.ok(m, url)
    assert.match(out(), /anyone with it can read every run/)
    assert.is((await fetch(`http://127.0.0.1:${m![1]}/api/runs`)).status, 401)
    assert.is((await fetch(`http://127.0.0.1:${m![1]}/api/runs`, {headers: {authorization: `Bearer ${m![2]}`}})).status, 200)
  } finally {
    sub.kill('SIGINT')
    await sub
  }
})

test('adw ui: a missing database, a port in use, a bad port: exit 2 with what to do', async () => {
  const missing = await adw(['ui', '--db', join(dir, 'none.db'), '--port', '0'], {cwd: dir})
  assert.is(missing.exitCode, 2)
  assert.match(missing.stderr, /Error: No database at .*none\.db: nothing has been recorded there yet\./)
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  const port = (blocker.address() as {port: number}).port
  try {
    const busy = await adw(['ui', '--db', db, '--port', String(port)], {cwd: dir})
    assert.is(busy.exitCode, 2)
    assert.match(busy.stderr, new RegExp(`Error: Port ${port} on 127\\.0\\.0\\.1 is already in use\\.\\nTry: adw ui --port ${port + 1}`))
  } finally {
    blocker.close()
  }
  const bad = await adw(['ui', '--db', db, '--port', '70000'], {cwd: dir})
  assert.is(bad.exitCode, 2)
  assert.match(bad.stderr, /70000/)
})

test('adw stats: the same figures as the cost page, as tables or JSON; --days limits them', async () => {
  const text = await adw(['stats', '--db', db], {cwd: dir})
  assert.is(text.exitCode, 0, text.stderr)
  assert.match(text.stdout, /^10 runs: \$\d+\.\d{4}, [\d.]+k tokens \([\d.]+k of them cache reads\)/)
  assert.match(text.stdout, /Review passed on the first try: 40% \(2 of 5 runs with a verdict\)/)
  assert.match(text.stdout, /Fix-loop iterations: 0: 2 runs, 1: 2 runs, 2: 1 run\n/)
  assert.match(text.stdout, /PIPELINE\s+RUNS\s+TOKENS\s+COST\nplan-build-review-fix\s+5\s/)
  assert.match(text.stdout, /MODEL\s+STEPS\s+TOKENS\s+COST\nclaude-sonnet-4-5\s/)
  assert.match(text.stdout, /STEP\s+EXECUTIONS\s+MEDIAN\s+TOKENS\s+COST\nbuild\s+8\s+\d/)
  const json = JSON.parse((await adw(['stats', '--db', db, '--json'], {cwd: dir})).stdout)
  assert.equal(json.review, {runs: 5, passedFirstTry: 2, rate: 0.4})
  assert.is(json.runs, 10)
  const runs = (await adw(['runs', '--db', db, '--json'], {cwd: dir})).stdout.split('\n').map(l => JSON.parse(l))
  assert.ok(Math.abs(json.total.costUsd - runs.reduce((n, r) => n + r.cost_usd, 0)) < 1e-9, 'the total is the sum of the runs’ costs')
  // The newest seeded run started under 4 h ago, the oldest 4 days ago: yesterday and today hold some, not all.
  const recent = JSON.parse((await adw(['stats', '--db', db, '--json', '--days', '2'], {cwd: dir})).stdout)
  assert.ok(recent.runs >= 1 && recent.runs < 10, `runs of yesterday and today: ${recent.runs}`)
  assert.is(recent.perDay.length, 2)
  const yesterday = (t: number) => new Date(t - 86_400_000).toISOString().slice(0, 10)
  assert.ok([yesterday(Date.now()), yesterday(Date.now() - 60_000)].includes(recent.since), recent.since)
  const bad = await adw(['stats', '--db', db, '--days', '0'], {cwd: dir})
  assert.is(bad.exitCode, 2)
  const none = await adw(['stats', '--db', join(dir, 'none.db')], {cwd: dir})
  assert.is(none.exitCode, 2)
  assert.match(none.stderr, /No database at/)
})

test.run()
