import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {rows} from '../helpers/db.js'
import {routeByPrompt} from '../helpers/fake-anthropic.js'
import {rmDir} from '../helpers/cli.js'
import {PIPELINE, project, routes, writeFiles} from './replay.helpers.js'

const outputs = (db: string, id: string) => rows(db, 'SELECT step_id, status, outputs FROM steps WHERE adw_id = ? ORDER BY id', id).map(r => `${r.step_id}:${r.status}:${r.outputs}`)

test('record then replay: the same outputs and files, byte for byte, with zero API calls, $0, recorded as a replay of the original', async () => {
  const p = await project()
  try {
    let r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'orig', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const calls = p.fake.messageRequests().length
    assert.is(calls, 6)
    r = await p.adw(['replay', 'orig', '--adw-id', 'rp-1', '--keep'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    assert.is(p.fake.messageRequests().length, calls, 'the replay made no API call')
    assert.match(r.stdout, 'Replay rp-1 of orig: succeeded; 6 calls answered from the recording; no divergence.')
    assert.equal(outputs(p.db, 'rp-1'), outputs(p.db, 'orig'))
    const kept = /Kept the replay's working dir: (\S+)/.exec(r.stderr)?.[1]
    assert.ok(kept, r.stderr)
    try {
      for (const f of ['greet.js', 'plan.md']) assert.is(readFileSync(join(kept!, f), 'utf8'), readFileSync(join(p.dir, f), 'utf8'), f)
    } finally {
      rmDir(join(kept!, '..'))
    }
    const [run] = rows(p.db, "SELECT status, cost_usd, input_tokens + output_tokens AS tokens FROM runs WHERE adw_id = 'rp-1'")
    assert.equal({...run}, {status: 'succeeded', cost_usd: 0, tokens: 0})
    const [tag] = rows(p.db, "SELECT replay_of, served, live, divergences FROM replays WHERE adw_id = 'rp-1'")
    assert.equal({...tag}, {replay_of: 'orig', served: 6, live: 0, divergences: null})

    // Deterministic: a second replay is the same again.
    r = await p.adw(['replay', 'orig', '--adw-id', 'rp-2', '--json'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const json = JSON.parse(r.stdout)
    assert.equal({...json, durationMs: 0}, {adwId: 'rp-2', replayOf: 'orig', status: 'succeeded', divergences: [], served: 6, live: 0, durationMs: 0})
    assert.equal(outputs(p.db, 'rp-2'), outputs(p.db, 'orig'))
    assert.is(p.fake.messageRequests().length, calls)
  } finally {
    await p.close()
  }
})

test('a prompt edited in --pipeline diverges at that step\'s first turn; a changed tool result at its turn; --check exits 4', async () => {
  const p = await project()
  try {
    let r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'orig', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    writeFiles(p.dir, {'edited.yaml': PIPELINE.replace('BUILD-STEP: implement:', 'BUILD-STEP: implement carefully:')})
    r = await p.adw(['replay', 'orig', '--pipeline', 'edited.yaml', '--adw-id', 'rp-edit'])
    assert.is(r.exitCode, 1, r.stdout + r.stderr)
    assert.match(r.stdout, 'step build: diverged at turn 1: messages[0] (user, text): expected "BUILD-STEP: implement: Plan: write greet.js', r.stdout)
    assert.match(r.stdout, 'got "BUILD-STEP: implement carefully: Plan: write greet.js')
    assert.equal(rows(p.db, "SELECT step_id, status FROM steps WHERE adw_id = 'rp-edit' ORDER BY id").map(s => `${s.step_id}:${s.status}`), ['plan:succeeded', 'build:failed'])
    assert.match(rows(p.db, "SELECT error FROM steps WHERE adw_id = 'rp-edit' AND step_id = 'build'")[0].error, 'diverged at turn 1')
    assert.is(p.fake.messageRequests().length, 6, 'no call reached the API')

    r = await p.adw(['replay', 'orig', '--pipeline', 'edited.yaml', '--check', '--json'])
    assert.is(r.exitCode, 4, r.stdout + r.stderr)
    const json = JSON.parse(r.stdout)
    assert.equal(json.divergences.map((d: any) => `${d.stepId}@${d.turn}`), ['build@1'])
    assert.is(json.served, 3)

    // A tool result that changed: a step before plan rewrites the README it reads at turn 1.
    writeFiles(p.dir, {'readme.yaml': PIPELINE.replace('steps:\n', 'steps:\n  - id: touch\n    uses: shell\n    with: {run: "echo \'# other\' > README.md"}\n').replace('    uses: agent\n    with:\n      prompt: "PLAN', '    needs: [touch]\n    uses: agent\n    with:\n      prompt: "PLAN')})
    r = await p.adw(['replay', 'orig', '--pipeline', 'readme.yaml', '--check'])
    assert.is(r.exitCode, 4, r.stdout + r.stderr)
    assert.match(r.stdout, /step plan: diverged at turn 2: messages\[2\] \(user, tool_result\): expected ".*# demo.*", got ".*# other/)
  } finally {
    await p.close()
  }
})

test('--live-after-divergence: the diverged step goes on against the API for its remaining turns; --check still exits 4', async () => {
  const p = await project()
  try {
    let r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'orig', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    writeFiles(p.dir, {'edited.yaml': PIPELINE.replace('BUILD-STEP: implement:', 'BUILD-STEP: implement carefully:')})
    p.fake.respond(routeByPrompt({'BUILD-STEP': routes()['BUILD-STEP']}))
    const before = p.fake.messageRequests().length
    r = await p.adw(['replay', 'orig', '--pipeline', 'edited.yaml', '--live-after-divergence', '--check', '--adw-id', 'rp-live'])
    assert.is(r.exitCode, 4, r.stdout + r.stderr)
    assert.match(r.stdout, 'Replay rp-live of orig: succeeded; 3 calls answered from the recording, 3 sent to the real API; 1 divergence.')
    const live = p.fake.messageRequests().slice(before)
    assert.is(live.length, 3)
    assert.ok(live.every(q => JSON.stringify(q.body.messages[0]).includes('implement carefully')))
    assert.equal(rows(p.db, "SELECT step_id, status FROM steps WHERE adw_id = 'rp-live' ORDER BY id").map(s => `${s.step_id}:${s.status}`), ['plan:succeeded', 'build:succeeded'])
    const [run] = rows(p.db, "SELECT cost_usd FROM runs WHERE adw_id = 'rp-live'")
    assert.ok(run.cost_usd > 0, 'the live calls cost what they cost')
  } finally {
    await p.close()
  }
})

test('bad input: an unknown run, a run with nothing recorded, --live-after-divergence without a key: exit 2', async () => {
  const p = await project()
  try {
    let r = await p.adw(['run', 'pipeline.yaml', '--adw-id', 'orig', '--prompt', 'Add greet'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    r = await p.adw(['replay', 'nope'])
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'nope')
    writeFiles(p.dir, {'sh.yaml': 'name: sh\nsteps:\n  - id: a\n    uses: shell\n    with: {run: "echo hi"}\n'})
    r = await p.adw(['run', 'sh.yaml', '--adw-id', 'shell-only'])
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    r = await p.adw(['replay', 'shell-only'])
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, 'Run "shell-only" has no recorded model calls to replay')
    r = await p.adw(['replay', 'orig', '--live-after-divergence'], {ANTHROPIC_API_KEY: ''})
    assert.is(r.exitCode, 2)
    assert.match(r.stderr, '--live-after-divergence sends the calls of a diverged step to the real API: it needs ANTHROPIC_API_KEY')
    assert.not.match(r.stderr, '    at ')
  } finally {
    await p.close()
  }
})

test.run()
