// Approving from the dashboard while `adw run --wait` blocks at the gate, all real processes: the
// waiting run, `adw ui` over the same database, and the page's POST. The waiting process sees the
// decision and continues the run itself; the dashboard starts no `adw run --resume` of its own (one
// would be refused while the waiting process drives the run, and log that the run did not continue).
import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {until, waitingFor} from '../helpers/deadline.js'

const dirs: string[] = []
test.after(() => dirs.forEach(rmDir))

const PIPELINE = `name: gated
steps:
  - id: plan
    uses: noop
    with: {outputs: {summary: add a login page}}
  - id: gate
    uses: approval
    with: {message: "Approve: {{steps.plan.outputs.summary}}?"}
  - id: build
    uses: shell
    with: {run: 'printf "%s|%s|%s" {{steps.gate.outputs.approved}} {{steps.gate.outputs.by}} {{steps.gate.outputs.comment}} > built.txt'}
`

async function startUi(dir: string, db: string) {
  const sub = execa(ADW, ['ui', '--port', '0', '--db', db], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 90_000})
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
  return {sub, url}
}

const statusOf = (db: string, adwId: string) => {
  try {
    return rows(db, `SELECT status FROM runs WHERE adw_id = '${adwId}'`)[0]?.status
  } catch {
    return undefined // not created or migrated yet
  }
}

test('approve in adw ui while adw run --wait blocks: the waiting process continues the run, nothing else resumes it', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE}, 'adw-ui-wait-')
  dirs.push(dir)
  const db = join(dir, 'x.db')
  const waiting = execa(ADW, ['run', 'p.yaml', '--adw-id', 'uw1', '--db', 'x.db', '--wait'], {cwd: dir, env: isolatedEnv(), reject: false, timeout: 90_000})
  let ui: Awaited<ReturnType<typeof startUi>> | undefined
  try {
    await until(() => statusOf(db, 'uw1') === 'waiting', 'the run to wait at its gate', 30_000)
    ui = await startUi(dir, db)
    const origin = ui.url.replace(/\/$/, '')
    const res = await fetch(`${origin}/api/runs/uw1/approve`, {method: 'POST', headers: {'content-type': 'application/json', origin}, body: JSON.stringify({as: 'dana', comment: 'go'})})
    assert.is(res.status, 202)
    const body = await res.json()
    assert.is(body.approval.decision, 'approved')
    assert.is(body.waitingProcess, true)
    assert.is(body.continuedBy, waiting.pid, 'the waiting process is the one that continues')
    const r = await waitingFor('adw run --wait to finish', waiting)
    assert.is(r.exitCode, 0, String(r.stderr))
    assert.match(String(r.stdout), /✔ gate — approved by dana/)
    assert.is(readFileSync(join(dir, 'built.txt'), 'utf8'), 'true|dana|go')
    assert.is(statusOf(db, 'uw1'), 'succeeded')
    assert.equal(rows(db, 'SELECT step_id, status FROM steps ORDER BY id').map(s => `${s.step_id}:${s.status}`), ['plan:succeeded', 'gate:succeeded', 'build:succeeded'])
    assert.equal(rows(db, "SELECT message FROM agent_logs WHERE log_level = 'ERROR'"), [], 'no resume was tried beside the waiting process')
    assert.match(rows(db, "SELECT message FROM agent_logs WHERE agent_name = 'approval' ORDER BY id").map(l => l.message).join('\n'), 'Step gate approved by dana: go')
  } finally {
    waiting.kill()
    ui?.sub.kill('SIGINT')
    await ui?.sub
  }
})

test.run()
