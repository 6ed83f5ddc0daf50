import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execa} from 'execa'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {reply, routeByPrompt, startFakeAnthropic, type FakeAnthropic} from '../helpers/fake-anthropic.js'
import {adw, rmDir, tmpDir, type CliResult} from '../helpers/cli.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'
import {configYaml} from './scaffold.helpers.js'

const ID = 'integration_test'
const MODEL = 'claude-scaffold-test-7'
const PLAN = 'Plan the following task'
const BUILD = 'Implement the plan in'

/** Plan writes specs/<id>-plan.md and answers its path; build reads it and writes README.md. */
function routes(id: string) {
  const spec = `specs/${id}-plan.md`
  return routeByPrompt({
    [PLAN]: [
      reply.tool('Write', {file_path: spec, content: '# Plan: README\n\n## Step by Step Tasks\n### 1. Write README.md\n'}, 'Writing the plan.'),
      reply.json({plan_file: spec, summary: 'Add a README file.'}),
    ],
    [BUILD]: [
      reply.tool('Read', {file_path: spec}),
      reply.tool('Write', {file_path: 'README.md', content: '# demo\n\nScaffolded by adw.\n'}),
      reply.text('Wrote README.md.'),
    ],
  })
}

/** `sqlite3 <db> <sql>` with the real CLI, rows as `a|b` lines. */
async function sqlite(db: string, sql: string): Promise<string[]> {
  const r = await execa('sqlite3', [db, sql])
  return r.stdout === '' ? [] : r.stdout.split('\n')
}

/** A project scaffolded with `config`, and a fake API; `adw run` of plan-build in it. */
async function inProject(config: Record<string, unknown>, fn: (p: {dir: string; fake: FakeAnthropic; run: (env?: Record<string, string>) => Promise<CliResult>}) => Promise<void>) {
  const base = tmpDir({'config.yaml': configYaml(config)})
  const route = routes(ID)
  const fake = await startFakeAnthropic(route)
  const dir = join(base, 'project')
  try {
    const s = await adw(['scaffold', 'project', '--config', 'config.yaml'], {cwd: base})
    assert.is(s.exitCode, 0, s.stderr)
    const run = (env: Record<string, string> = {}) =>
      adw(['run', 'pipelines/plan-build.yaml', '--adw-id', ID, '--prompt', 'Add README file', '--working-dir', '.'], {
        cwd: dir,
        env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url, ...env},
        timeout: 90_000,
      })
    await fn({dir, fake, run})
    assert.equal(route.left(), {}, 'every scripted reply was used')
  } finally {
    await fake.close()
    rmDir(base)
  }
}

test('seed integration: adw run in the scaffolded project records into database.path with the configured model', async () => {
  await inProject({database: {path: 'data/orchestrator.db'}, agent_sdk: {model: MODEL}, logging: {level: 'INFO'}}, async ({dir, fake, run}) => {
    const r = await run()
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    assert.match(readFileSync(join(dir, `specs/${ID}-plan.md`), 'utf8'), '# Plan: README')
    assert.is(readFileSync(join(dir, 'README.md'), 'utf8'), '# demo\n\nScaffolded by adw.\n')

    const db = join(dir, 'data/orchestrator.db')
    assert.ok(existsSync(db), 'the database is at the configured database.path')
    assert.not.ok(existsSync(join(dir, 'orchestrator.db')), 'not at the default path')
    assert.equal(await sqlite(db, `SELECT pipeline_name, status FROM runs WHERE adw_id = '${ID}'`), ['plan-build|succeeded'])
    assert.equal(await sqlite(db, `SELECT step_id, status, model FROM steps WHERE adw_id = '${ID}' ORDER BY id`), [
      `plan|succeeded|${MODEL}`,
      `build|succeeded|${MODEL}`,
    ])
    // The seed's queries, verbatim.
    assert.ok((await sqlite(db, 'SELECT adw_id, agent_name, step_name, created_at FROM agent_logs ORDER BY created_at DESC LIMIT 20;')).length > 0)
    assert.equal(await sqlite(db, "SELECT adw_id, message, details FROM agent_logs WHERE log_level = 'ERROR';"), [])
    const milestones = await sqlite(db, `SELECT step_name, log_type FROM agent_logs WHERE adw_id = '${ID}' AND log_type = 'milestone';`)
    assert.ok(milestones.some(m => m.startsWith('plan|')) && milestones.some(m => m.startsWith('build|')), milestones.join('\n'))
    // logging.level INFO: INFO rows of every kind, no DEBUG rows.
    assert.ok(+(await sqlite(db, "SELECT count(*) FROM agent_logs WHERE log_level = 'INFO' AND log_type <> 'milestone'"))[0] > 0)
    assert.equal(await sqlite(db, "SELECT count(*) FROM agent_logs WHERE log_level = 'DEBUG'"), ['0'])

    const models = new Set(fake.messageRequests().map(q => q.body.model))
    assert.equal([...models], [MODEL], 'every request used the model of adw.config.yaml')
    assert.not.ok(readFileSync(db).includes(TEST_KEY))
  })
})

test('the project config is read by adw run: logging.level filters rows; AGENT_MODEL and .env override it', async () => {
  await inProject({database: {path: 'runs.db'}, agent_sdk: {model: MODEL}, logging: {level: 'WARNING'}}, async ({dir, fake, run}) => {
    writeFileSync(join(dir, '.env'), 'AGENT_MODEL=claude-from-dotenv-2\n')
    const r = await run()
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const db = join(dir, 'runs.db')
    assert.equal(await sqlite(db, `SELECT status FROM runs WHERE adw_id = '${ID}'`), ['succeeded'])
    // Milestones are always kept; every other INFO row is below WARNING.
    assert.equal(await sqlite(db, "SELECT count(*) FROM agent_logs WHERE log_level IN ('DEBUG', 'INFO') AND log_type <> 'milestone'"), ['0'])
    assert.ok(+(await sqlite(db, "SELECT count(*) FROM agent_logs WHERE log_type = 'milestone'"))[0] > 0)
    assert.equal([...new Set(fake.messageRequests().map(q => q.body.model))], ['claude-from-dotenv-2'])
  })
})

test.run()
