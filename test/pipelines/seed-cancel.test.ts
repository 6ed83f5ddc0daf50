import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {join} from 'node:path'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {ADW, isolatedEnv, rmDir, ROOT, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import * as S from './seed.helpers.js'

test('Ctrl-C while the model is streaming: the request is aborted, exit 130, run and step cancelled', async () => {
  const fake = await startFakeAnthropic(routeByPrompt({[S.STEP.plan]: [reply.hang('Let me think about this')]}))
  const dir = tmpDir()
  const db = join(dir, 'adw.db')
  try {
    const sub = execa(ADW, ['run', join(ROOT, 'pipelines/plan-build.yaml'), '--adw-id', 'cancel-1', '--prompt', S.PROMPT, '--working-dir', dir, '--db', db], {
      env: {...isolatedEnv(), ANTHROPIC_API_KEY: S.TEST_KEY, ANTHROPIC_BASE_URL: fake.url},
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
    })
    await until(() => fake.messageRequests().length > 0, 'the plan step to call the fake Messages API', 30_000)
    await new Promise(r => setTimeout(r, 300))
    const started = Date.now()
    sub.kill('SIGINT')
    const r = await sub
    assert.ok(Date.now() - started < 10_000, `exited ${Date.now() - started} ms after SIGINT`)
    assert.is(r.exitCode, 130, String(r.stderr) + String(r.stdout))
    assert.is(S.query(db, 'SELECT status FROM runs')[0].status, 'cancelled')
    assert.equal(S.query(db, 'SELECT step_id, status FROM steps').map(s => `${s.step_id}:${s.status}`), ['plan:cancelled'])
    assert.is(fake.messageRequests().length, 1, 'a cancelled request is not retried')
  } finally {
    await fake.close()
    rmDir(dir)
  }
})

test.run()
