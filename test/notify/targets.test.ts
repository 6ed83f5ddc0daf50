import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {createHmac} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ADW, adw, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {rows} from '../helpers/db.js'
import {startWebhookReceiver} from '../helpers/webhook-receiver.js'
import {notifySubscriber, resolveTargets, type NotifyTargetConfig} from '../../src/notify/index.js'

const PASSING = ['name: passing', 'steps:', '  - id: fine', '    uses: shell', "    with: {run: 'echo fine'}"].join('\n')
/** Writes its argv, ADW_EVENT and stdin to the file named by its first argument. */
const RECORDER = "const fs = require('fs'); let s = ''; process.stdin.on('data', d => (s += d)); process.stdin.on('end', () => fs.writeFileSync(process.argv[2], JSON.stringify({argv: process.argv.slice(3), event: process.env.ADW_EVENT, id: process.env.ADW_ID, stdin: JSON.parse(s)})))\n"

test('a command target: run without a shell, the event JSON on stdin, ADW_EVENT in its environment; its failure is a WARNING row', async () => {
  const dir = tmpDir({'p.yaml': PASSING, 'rec.cjs': RECORDER})
  const out = join(dir, 'got.json')
  const cfg = (command: string) => `notify:\n  - on: [run.succeeded]\n    command: ${JSON.stringify(command)}\n`
  try {
    writeFileSync(join(dir, 'adw.config.yaml'), cfg(`node rec.cjs ${out} $(touch\\ pwned) a\\ b ;echo`))
    const r = await adw(['run', 'p.yaml', '--adw-id', 'cmd-1', '--db', join(dir, 'a.db')], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    const got = JSON.parse(readFileSync(out, 'utf8'))
    assert.equal(got.argv, ['$(touch pwned)', 'a b', ';echo'], 'arguments as written, no shell')
    assert.not.ok(existsSync(join(dir, 'pwned')))
    assert.is(got.event, 'run.succeeded')
    assert.is(got.id, 'cmd-1')
    assert.is(got.stdin.event, 'run.succeeded')
    assert.is(got.stdin.run.adwId, 'cmd-1')
    const [row] = rows(join(dir, 'a.db'), "SELECT log_level, message FROM agent_logs WHERE agent_name = 'notify'")
    assert.is(row.log_level, 'INFO')
    assert.match(row.message, 'command node run.succeeded: exit 0')

    writeFileSync(join(dir, 'adw.config.yaml'), `notify:\n  - on: [run.succeeded]\n    command: node -e process.exit(5)\n  - on: [run.succeeded]\n    command: no-such-program-adw\n`)
    const bad = await adw(['run', 'p.yaml', '--adw-id', 'cmd-2', '--db', join(dir, 'b.db')], {cwd: dir})
    assert.is(bad.exitCode, 0, bad.stderr)
    const warned = rows(join(dir, 'b.db'), "SELECT log_level, message FROM agent_logs WHERE agent_name = 'notify' ORDER BY message").map(r => `${r.log_level} ${r.message}`)
    assert.is(warned.length, 2)
    assert.match(warned.join('\n'), /WARNING command node run\.succeeded: exit 5/)
    assert.match(warned.join('\n'), /WARNING command no-such-program-adw run\.succeeded: no-such-program-adw: not found/)
  } finally {
    rmDir(dir)
  }
})

test('run.cancelled: Ctrl-C during a step still notifies, and the run exits 130', async () => {
  const hook = await startWebhookReceiver()
  const dir = tmpDir({
    'p.yaml': ['name: slow', 'steps:', '  - id: wait', '    uses: shell', "    with: {run: 'echo started; sleep 30'}"].join('\n'),
    'adw.config.yaml': `notify:\n  - on: [run.cancelled]\n    webhook: {url: "${hook.url}/c"}\n`,
  })
  const db = join(dir, 'a.db')
  try {
    const sub = execa(ADW, ['run', 'p.yaml', '--adw-id', 'cancel-n', '--db', db], {cwd: dir, env: isolatedEnv(), reject: false, stdin: 'ignore', timeout: 60_000})
    const started = () => {
      try {
        return existsSync(db) && rows(db, "SELECT 1 FROM agent_logs WHERE message = 'started'").length > 0
      } catch {
        return false // busy a moment: the run is writing
      }
    }
    await until(started, 'the step to print "started"', 30_000)
    sub.kill('SIGINT')
    const r = await sub
    assert.is(r.exitCode, 130, String(r.stderr))
    const [got] = hook.received()
    assert.is(got?.json.event, 'run.cancelled')
    assert.is(got.json.run.status, 'cancelled')
    assert.match(got.json.text, ':no_entry_sign: adw run *cancel-n* (slow) was cancelled')
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

test('run.waiting and budget.exceeded fire on the run statuses approvals and budgets give a run', async () => {
  const hook = await startWebhookReceiver()
  try {
    const config: NotifyTargetConfig[] = [{on: ['run.waiting', 'budget.exceeded'], webhook: {url: `${hook.url}/w`}}]
    const recorded: string[] = []
    for (const status of ['waiting', 'budget_exceeded', 'succeeded']) {
      const n = notifySubscriber({targets: resolveTargets(config, {}, 'test'), version: '0.0.0', env: {}, record: a => recorded.push(a.message)})
      const time = new Date().toISOString()
      n.onEvent({type: 'run:start', adwId: `st-${status}`, pipeline: 'p', workingDir: '/tmp', db: 'x.db', outline: [], time})
      n.onEvent({type: 'run:end', adwId: `st-${status}`, status: status as any, durationMs: 5, totals: {inputTokens: 1, outputTokens: 2, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0.5}, time})
      await n.close()
    }
    assert.equal(hook.received().map(g => `${g.json.event} ${g.json.run.adwId}`), ['run.waiting st-waiting', 'budget.exceeded st-budget_exceeded'])
    assert.is(recorded.length, 2)
  } finally {
    await hook.close()
  }
})

test('bad notify config: every problem at file:line:col, exit 2, nothing recorded; a variable that is not set is named', async () => {
  const dir = tmpDir({
    'p.yaml': PASSING,
    'adw.config.yaml': [
      'notify:',
      '  - on: [run.failed, run.exploded]',
      '    webhook: {url: "ftp://x", retrys: 2}',
      '  - on: [run.failed]',
      '    command: "x"',
      '    webhook: {url: "http://127.0.0.1:1/x"}',
      '  - webhook: {url: "http://127.0.0.1:1/x", timeout: soon}',
    ].join('\n'),
  })
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--db', db], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr)
    const lines = r.stderr.split('\n').filter(l => l.includes('adw.config.yaml:'))
    assert.ok(lines.some(l => /adw\.config\.yaml:2:22: notify\[0\]\.on\[1\] must be one of run\.succeeded, run\.failed, run\.cancelled, run\.waiting, budget\.exceeded, step\.failed; got "run\.exploded"/.test(l)), r.stderr)
    assert.ok(lines.some(l => /adw\.config\.yaml:3:20: notify\[0\]\.webhook\.url must be an http:\/\/ or https:\/\/ URL/.test(l)), r.stderr)
    assert.ok(lines.some(l => /adw\.config\.yaml:3:\d+: unknown key "retrys" in notify\[0\]\.webhook; allowed: url, secret, secretEnv, headers, timeout, retries/.test(l)), r.stderr)
    assert.ok(lines.some(l => /adw\.config\.yaml:4:5: notify\[1\] needs either webhook/.test(l)), r.stderr)
    assert.ok(lines.some(l => /adw\.config\.yaml:7:5: notify\[2\] needs "on"/.test(l)), r.stderr)
    assert.ok(lines.some(l => /notify\[2\]\.webhook\.timeout must be a duration/.test(l)), r.stderr)
    assert.not.match(r.stderr, '    at ')
    assert.not.ok(existsSync(db), 'nothing recorded')

    writeFileSync(join(dir, 'adw.config.yaml'), 'notify:\n  - on: [run.failed]\n    webhook: {url: "${NOPE_URL}/x", secretEnv: NOPE_SECRET}\n')
    const unset = await adw(['run', 'p.yaml', '--db', db], {cwd: dir})
    assert.is(unset.exitCode, 2)
    assert.match(unset.stderr, 'notify[0].webhook.url uses ${NOPE_URL}, which is not set')
    assert.match(unset.stderr, 'notify[0].webhook.secretEnv names NOPE_SECRET, which is not set')
    assert.not.ok(existsSync(db))
  } finally {
    rmDir(dir)
  }
})

test('a .env cannot fill ${VARIABLE}s of notify targets (a cloned repository must not choose where runs are reported)', async () => {
  const hook = await startWebhookReceiver()
  const dir = tmpDir({'p.yaml': PASSING, '.env': `HOOK_BASE=${hook.url}\n`, 'adw.config.yaml': 'notify:\n  - on: [run.succeeded]\n    webhook: {url: "${HOOK_BASE}/x"}\n'})
  try {
    const r = await adw(['run', 'p.yaml', '--db', join(dir, 'a.db')], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'uses ${HOOK_BASE}, which is not set in your shell or adw.config.yaml env:')
    assert.equal(hook.received(), [])
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

test('notify: in a pipeline joins the config targets; adw validate locates its mistakes', async () => {
  const hook = await startWebhookReceiver()
  const pipeline = (target: string) => ['name: noisy', 'notify:', target, 'steps:', '  - id: fine', '    uses: shell', "    with: {run: 'true'}"].join('\n')
  const dir = tmpDir({
    'p.yaml': pipeline(`  - {on: [run.succeeded], webhook: {url: "\${HOOK}/from-pipeline"}}`),
    'adw.config.yaml': `notify:\n  - on: [run.succeeded]\n    webhook: {url: "${hook.url}/from-config"}\n`,
  })
  try {
    const r = await adw(['run', 'p.yaml', '--db', join(dir, 'a.db')], {cwd: dir, env: {HOOK: hook.url}})
    assert.is(r.exitCode, 0, r.stderr)
    assert.equal(hook.received().map(g => g.path).sort(), ['/from-config', '/from-pipeline'])
    writeFileSync(join(dir, 'bad.yaml'), pipeline('  - {on: [run.done], command: "x", webhook: {url: "http://h/x"}}'))
    const v = await adw(['validate', 'bad.yaml'], {cwd: dir})
    assert.is(v.exitCode, 2)
    assert.match(v.stderr, /bad\.yaml:3:\d+: .*run\.done/)
    assert.match(v.stderr, /bad\.yaml:3:5: notify\[0\] needs either webhook/)
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

test('adw notify test: a sample to every target whatever its on:, each attempt printed; exit 1 when one did not get it; --json', async () => {
  const hook = await startWebhookReceiver()
  const gone = await startWebhookReceiver()
  const goneUrl = gone.url
  await gone.close()
  const dir = tmpDir({
    'adw.config.yaml': [
      'notify:',
      '  - name: slack',
      '    on: [run.succeeded]',
      `    webhook: {url: "${hook.url}/services/SECRETPATH", secret: "abcdef123456"}`,
      '  - name: pager',
      '    on: [step.failed]',
      `    webhook: {url: "${goneUrl}/p", retries: 0}`,
    ].join('\n'),
  })
  try {
    const r = await adw(['notify', 'test', '--event', 'run.failed'], {cwd: dir})
    assert.is(r.exitCode, 1, r.stderr)
    assert.match(r.stdout, `✔ slack (${hook.url}/***) run.failed: attempt 1 → HTTP 200`)
    assert.match(r.stdout, `✘ pager (${goneUrl}/***) run.failed: attempt 1 → ECONNREFUSED`)
    assert.match(r.stdout, '1 of 2 target(s) did not receive the run.failed sample')
    assert.not.match(r.stdout, 'SECRETPATH')
    const [got] = hook.received()
    assert.is(got.json.event, 'run.failed')
    assert.is(got.json.run.adwId, 'notify-test')
    assert.is(got.headers['x-adw-signature'], `sha256=${createHmacHex('abcdef123456', got.body)}`)

    const j = await adw(['notify', 'test', '--json'], {cwd: dir})
    const parsed = JSON.parse(j.stdout)
    assert.is(parsed.event, 'run.failed')
    assert.equal(parsed.targets.map((t: any) => [t.target, t.ok]), [['slack', true], ['pager', false]])

    const none = await adw(['notify', 'test'], {cwd: tmpDir()})
    assert.is(none.exitCode, 2)
    assert.match(none.stderr, 'No notify targets')
    const badEvent = await adw(['notify', 'test', '--event', 'run.exploded'], {cwd: dir})
    assert.is(badEvent.exitCode, 2)
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

function createHmacHex(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

test.run()
