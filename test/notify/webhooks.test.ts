import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createHmac} from 'node:crypto'
import {join} from 'node:path'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {dbBytes, rows} from '../helpers/db.js'
import {startWebhookReceiver} from '../helpers/webhook-receiver.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

const FAILING = ['name: failing', 'steps:', '  - id: fine', '    uses: shell', "    with: {run: 'echo fine'}", '  - id: boom', '    uses: shell', "    with: {run: 'echo broken >&2; exit 3'}"].join('\n')
const PASSING = ['name: passing', 'steps:', '  - id: fine', '    uses: shell', "    with: {run: 'echo fine'}"].join('\n')
const SECRET = 'whsec-7c1d9e2a4b6f8031'

const config = (url: string, extra = '') =>
  [
    'ui: {url: "http://build-box:4400"}',
    'notify:',
    '  - name: team',
    '    on: [run.failed, run.succeeded]',
    '    webhook:',
    `      url: "\${HOOK_BASE}/services/T000/B000/XXXX"`,
    '      secretEnv: HOOK_SECRET',
    '      headers: {X-Team: "core-${TEAM}"}',
    extra,
  ].join('\n')

const notifyRows = (db: string) => rows(db, "SELECT log_level, message, details FROM agent_logs WHERE agent_name = 'notify' ORDER BY id")

test('run.failed: the signed JSON payload with the run, its cost, the failing step and a link; each attempt in the log, the URL path and secret nowhere', async () => {
  const hook = await startWebhookReceiver()
  const dir = tmpDir({'p.yaml': FAILING, 'adw.config.yaml': config(hook.url)})
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-1', '--db', db], {cwd: dir, env: {HOOK_BASE: hook.url, HOOK_SECRET: SECRET, TEAM: 'a'}})
    assert.is(r.exitCode, 1, r.stderr)
    const [req] = hook.received()
    assert.is(hook.received().length, 1)
    assert.is(req.path, '/services/T000/B000/XXXX')
    assert.is(req.headers['content-type'], 'application/json')
    assert.is(req.headers['x-adw-event'], 'run.failed')
    assert.is(req.headers['x-team'], 'core-a')
    assert.is(req.headers['x-adw-signature'], `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`, 'the HMAC of the exact body')
    assert.is.not(req.headers['x-adw-signature'], `sha256=${createHmac('sha256', 'another key').update(req.body).digest('hex')}`)
    const p = req.json
    assert.is(p.event, 'run.failed')
    assert.is(p.run.adwId, 'wh-1')
    assert.is(p.run.pipeline, 'failing')
    assert.is(p.run.status, 'failed')
    assert.match(p.run.error, 'step boom failed')
    assert.equal({id: p.step.id, iteration: p.step.iteration}, {id: 'boom', iteration: 0})
    assert.match(p.step.error, 'exit')
    const [run] = rows(db, 'SELECT cost_usd, input_tokens, duration_ms FROM runs')
    assert.is(p.cost.usd, run.cost_usd)
    assert.is(p.cost.inputTokens, run.input_tokens)
    assert.type(p.run.durationMs, 'number')
    assert.is(p.link, 'http://build-box:4400/runs/wh-1')
    assert.match(p.text, /^:x: adw run \*wh-1\* \(failing\) failed after .*step boom failed/)
    assert.match(p.text, '<http://build-box:4400/runs/wh-1|open in adw ui>')

    const logged = notifyRows(db)
    assert.is(logged.length, 1)
    assert.is(logged[0].log_level, 'INFO')
    assert.match(logged[0].message, `team (${hook.url}/***) run.failed: attempt 1 → HTTP 200`)
    assert.is(JSON.parse(logged[0].details).status, 200)
    const logs = await adw(['logs', 'wh-1', '--db', db], {cwd: dir})
    assert.match(logs.stdout, 'attempt 1 → HTTP 200')
    for (const secret of [SECRET, 'T000/B000/XXXX']) {
      assert.not.ok(dbBytes(db).includes(secret), `${secret} is not in the database`)
      assert.not.match(r.stdout + r.stderr + logs.stdout, secret)
    }
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

test('run.succeeded with an agent step: the payload cost and tokens are the store totals; no secret, no signature header', async () => {
  const fake = await startFakeAnthropic([reply.text('Hello.', {usage: {input_tokens: 1234, output_tokens: 56}})])
  const hook = await startWebhookReceiver()
  const dir = tmpDir({
    'p.yaml': ['name: hello', 'steps:', '  - id: greet', '    uses: agent', '    with: {prompt: "Say hello", tools: []}'].join('\n'),
    'adw.config.yaml': `notify:\n  - on: [run.succeeded]\n    webhook: {url: "${hook.url}/hook"}\n`,
  })
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-ok', '--db', db], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url}})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const [req] = hook.received()
    assert.is(req.headers['x-adw-signature'], undefined)
    const [run] = rows(db, 'SELECT cost_usd, input_tokens, output_tokens FROM runs')
    assert.ok(run.cost_usd > 0)
    assert.equal([req.json.cost.usd, req.json.cost.inputTokens, req.json.cost.outputTokens], [run.cost_usd, run.input_tokens, run.output_tokens])
    assert.is(req.json.step, undefined)
    assert.is(req.json.link, undefined)
    assert.match(req.json.text, /^:white_check_mark: adw run \*wh-ok\* \(hello\) succeeded after /)
  } finally {
    await fake.close()
    await hook.close()
    rmDir(dir)
  }
})

test('retries with backoff on 5xx: every attempt recorded, the same body and delivery id each time; a 4xx is not retried', async () => {
  const hook = await startWebhookReceiver({statuses: [503, 502]})
  const dir = tmpDir({'p.yaml': PASSING, 'adw.config.yaml': `notify:\n  - name: flaky\n    on: [run.succeeded]\n    webhook: {url: "${hook.url}/x"}\n`})
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-retry', '--db', db], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    const got = hook.received()
    assert.is(got.length, 3)
    assert.ok(got.every(g => g.body === got[0].body && g.headers['x-adw-delivery'] === got[0].headers['x-adw-delivery']))
    const logged = notifyRows(db)
    assert.equal(logged.map(l => l.log_level), ['WARNING', 'WARNING', 'INFO'])
    assert.match(logged[0].message, 'attempt 1 → HTTP 503')
    assert.match(logged[0].message, 'next attempt in 0.5s')
    assert.match(logged[1].message, 'attempt 2 → HTTP 502')
    assert.match(logged[1].message, 'next attempt in 1.0s')
    assert.match(logged[2].message, 'attempt 3 → HTTP 200')
  } finally {
    await hook.close()
    rmDir(dir)
  }
  const refusing = await startWebhookReceiver({statuses: [404]})
  const dir2 = tmpDir({'p.yaml': PASSING, 'adw.config.yaml': `notify:\n  - on: [run.succeeded]\n    webhook: {url: "${refusing.url}/x"}\n`})
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-404', '--db', join(dir2, 'a.db')], {cwd: dir2})
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(refusing.received().length, 1)
    const [row] = notifyRows(join(dir2, 'a.db'))
    assert.is(row.log_level, 'WARNING')
    assert.match(row.message, 'attempt 1 → HTTP 404')
    assert.match(row.message, 'giving up')
  } finally {
    await refusing.close()
    rmDir(dir2)
  }
})

test('a webhook that is down or hangs never fails the run nor changes its exit code', async () => {
  const gone = await startWebhookReceiver()
  const downUrl = gone.url
  await gone.close()
  const hanging = await startWebhookReceiver({hang: true})
  const dir = tmpDir({
    'p.yaml': FAILING,
    'adw.config.yaml': [
      'notify:',
      '  - name: down',
      '    on: [run.failed]',
      `    webhook: {url: "${downUrl}/x", retries: 1}`,
      '  - name: slow',
      '    on: [run.failed]',
      `    webhook: {url: "${hanging.url}/x", retries: 1, timeout: 300ms}`,
    ].join('\n'),
  })
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-down', '--db', db], {cwd: dir})
    assert.is(r.exitCode, 1, 'the exit code of the failed run, nothing else')
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'failed')
    const logged = notifyRows(db).map(l => l.message)
    assert.is(logged.filter(m => m.startsWith('down')).length, 2)
    assert.match(logged.find(m => m.startsWith('down'))!, 'ECONNREFUSED')
    assert.is(logged.filter(m => m.startsWith('slow')).length, 2)
    assert.match(logged.find(m => m.startsWith('slow'))!, 'no answer within 0.3 s')
    assert.is(hanging.received().length, 2)
  } finally {
    await hanging.close()
    rmDir(dir)
  }
})

test('step.failed (a step under continueOnError) and run.succeeded both fire; targets hear only their events', async () => {
  const hook = await startWebhookReceiver()
  const dir = tmpDir({
    'p.yaml': ['name: soft', 'steps:', '  - id: flaky', '    uses: shell', '    continueOnError: true', "    with: {run: 'exit 4'}", '  - id: after', '    uses: shell', "    with: {run: 'true'}"].join('\n'),
    'adw.config.yaml': [
      'notify:',
      '  - name: steps',
      '    on: [step.failed]',
      `    webhook: {url: "${hook.url}/steps"}`,
      '  - name: ends',
      '    on: [run.succeeded, run.failed]',
      `    webhook: {url: "${hook.url}/ends"}`,
    ].join('\n'),
  })
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'wh-step', '--db', join(dir, 'a.db')], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    const got = hook.received().map(g => `${g.path} ${g.json.event}`).sort()
    assert.equal(got, ['/ends run.succeeded', '/steps step.failed'])
    const step = hook.received().find(g => g.json.event === 'step.failed')!.json
    assert.is(step.step.id, 'flaky')
    assert.match(step.text, ':warning: adw run *wh-step* (soft) has a failed step: step flaky: ')
  } finally {
    await hook.close()
    rmDir(dir)
  }
})

test.run()
