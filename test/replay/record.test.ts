import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {dbBytes, rows} from '../helpers/db.js'
import {reply, routeByPrompt} from '../helpers/fake-anthropic.js'
import {ROOT} from '../helpers/cli.js'
import {project, routes, TEST_KEY, writeFiles} from './replay.helpers.js'

test('an agent run records every API call: the stable request hash, its new part, the full response; and its git base', async () => {
  const p = await project()
  try {
    const r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'rec-1', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const recs = rows(p.db, 'SELECT step_id, turn, kind, request_hash, request, response FROM recordings WHERE adw_id = ? ORDER BY id', 'rec-1')
    assert.equal(recs.map(x => `${x.kind}:${x.step_id ?? '-'}:${x.turn}`), ['base:-:0', 'messages:plan:1', 'messages:plan:2', 'messages:plan:3', 'messages:build:1', 'messages:build:2', 'messages:build:3'])
    const base = JSON.parse(recs[0].response)
    assert.match(base.commit, /^[0-9a-f]{40}$/)
    assert.is(base.dirty, false)
    const [first, second] = [JSON.parse(recs[1].request), JSON.parse(recs[2].request)]
    // The first call holds the whole request, with the working dir written as <working-dir>; later ones only what they add.
    assert.is(first.from, 0)
    assert.is(first.model, 'claude-sonnet-4-5')
    assert.match(JSON.stringify(first.system), 'Working directory: <working-dir>')
    assert.not.match(recs[1].request, p.dir)
    assert.equal(first.messages, [{role: 'user', content: [{type: 'text', text: 'PLAN-STEP: plan this task: Add greet'}]}])
    assert.is(second.from, 1)
    assert.is(second.system, undefined)
    assert.equal(second.messages.map((m: any) => m.role), ['assistant', 'user'])
    assert.match(JSON.stringify(second.messages[1]), '# demo')
    const answer = JSON.parse(recs[3].response)
    assert.equal(answer.content.map((b: any) => [b.type, b.text]), [['text', 'Plan: write greet.js that prints Hello.']])
    assert.is(answer.stop_reason, 'end_turn')
    assert.ok(recs.slice(1).every(x => /^[0-9a-f]{64}$/.test(x.request_hash)))
    assert.is(new Set(recs.slice(1).map(x => x.request_hash)).size, 6, 'each call has its own hash')
  } finally {
    await p.close()
  }
})

test('secrets are masked in recordings; record.enabled: false records nothing; a small record.max_bytes stops with a warning', async () => {
  const leak = routes()
  leak['BUILD-STEP'][2] = reply.text(`Built it. The key is ${TEST_KEY}.`)
  const p = await project(leak)
  try {
    let r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'rec-mask', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const last = rows(p.db, "SELECT response FROM recordings WHERE adw_id = 'rec-mask' AND step_id = 'build' AND turn = 3")[0]
    assert.match(last.response, 'The key is [REDACTED].')
    assert.not.ok(dbBytes(p.db).includes(TEST_KEY), 'the key is not in the database file or its WAL')

    writeFiles(p.dir, {'adw.config.yaml': 'record:\n  enabled: false\n'})
    p.fake.respond(routeByPrompt(routes()))
    r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'rec-off', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    assert.is(rows(p.db, "SELECT count(*) AS n FROM recordings WHERE adw_id = 'rec-off'")[0].n, 0)

    writeFiles(p.dir, {'adw.config.yaml': 'record:\n  max_bytes: 6000\n'})
    p.fake.respond(routeByPrompt(routes()))
    r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'rec-cap', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const kept = rows(p.db, "SELECT sum(bytes) AS b, count(*) AS n FROM recordings WHERE adw_id = 'rec-cap' AND kind = 'messages'")[0]
    assert.ok(kept.n >= 1 && kept.n < 6, `${kept.n} calls recorded`)
    assert.ok(kept.b <= 6000)
    const warning = rows(p.db, "SELECT message FROM agent_logs WHERE adw_id = 'rec-cap' AND log_level = 'WARNING' AND message LIKE 'Recording stopped%'")
    assert.is(warning.length, 1)
    assert.match(warning[0].message, 'record.max_bytes (6000 bytes) reached')

    writeFiles(p.dir, {'adw.config.yaml': 'record:\n  max_bytes: lots\n'})
    r = await p.adw(['run', 'pipeline.yaml', '--prompt', 'x'])
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'adw.config.yaml:2:14')
    assert.match(r.stderr, 'record.max_bytes must be a whole number of bytes')
  } finally {
    await p.close()
  }
})

test('a claude-code step keeps its stream-json transcript per invocation', async () => {
  const p = await project()
  try {
    writeFiles(p.dir, {'cc.yaml': 'name: cc\nsteps:\n  - id: ask\n    uses: claude-code\n    with: {prompt: "say hi"}\n'})
    const r = await p.adw(['run', 'cc.yaml', '--adw-id', 'rec-cc'], {ADW_CLAUDE_BIN: join(ROOT, 'test/fixtures/fake-claude/claude')})
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const [t] = rows(p.db, "SELECT step_id, turn, response FROM recordings WHERE adw_id = 'rec-cc' AND kind = 'transcript'")
    assert.is(t.step_id, 'ask')
    assert.is(t.turn, 1)
    const events = t.response.split('\n').map((l: string) => JSON.parse(l))
    assert.equal(events[0], {type: 'adw_invocation', prompt: 'say hi'}, 'the first line holds the prompt (the CLI never shows it)')
    assert.is(events[1].type, 'system')
    assert.is(events[events.length - 1].type, 'result')
  } finally {
    await p.close()
  }
})

test.run()
