import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {openSqliteStore} from '../../src/store/sqlite.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {newRun} from '../store/fixtures.js'

// What is there to run, and what a run cost: adw pipelines (show), adw runs show.
const dir = tmpDir({
  'adw.config.yaml': 'project: {name: discover}\n',
  'pipelines/greet.yaml': 'name: greet\ndescription: Says hello to someone\ninputs:\n  who: {type: string, required: true, description: Whom to greet}\n  loud: {type: boolean, default: false}\nsteps:\n  - id: hello\n    uses: shell\n    with: {run: "echo hello {{inputs.who}}"}\n',
  'pipelines/plan-build.yaml': 'name: my-plan-build\nsteps:\n  - id: a\n    uses: noop\n',
  'src/.keep': '',
})
test.after(() => rmDir(dir))

test('adw pipelines lists the local and the built-in pipelines with inputs and descriptions', async () => {
  const r = await adw(['pipelines'], {cwd: join(dir, 'src')})
  assert.is(r.exitCode, 0, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0], /^NAME +SOURCE +INPUTS +DESCRIPTION$/)
  assert.match(r.stdout, /^greet +\.\.\/pipelines\/greet\.yaml +who\*, loud +Says hello to someone$/m)
  assert.match(r.stdout, /^plan-build-review-fix +built-in +prompt\*, model +Plan, implement, review/m)
  assert.match(r.stdout, /^plan-build +built-in \(hidden by the local one\)/m)
  const json = JSON.parse((await adw(['pipelines', '--json'], {cwd: dir})).stdout)
  assert.equal(json.find((p: {name: string}) => p.name === 'greet').inputs[0], {name: 'who', type: 'string', required: true, description: 'Whom to greet'})
})

test('adw pipelines show <name>: inputs, steps, and the command that runs it', async () => {
  const r = await adw(['pipelines', 'show', 'greet'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  assert.match(r.stdout, /^greet — Says hello to someone$/m)
  assert.match(r.stdout, /^ {2}who +string +required +Whom to greet$/m)
  assert.match(r.stdout, /^ {2}loud +boolean +default false$/m)
  assert.match(r.stdout, /^ {2}hello +shell$/m)
  assert.match(r.stdout, 'Run it: adw run greet --input who=...')
  const fix = await adw(['pipelines', 'show', 'plan-build-review-fix'], {cwd: dir})
  assert.match(fix.stdout, /^ {2}fix +loop +if: steps\.review\.outputs\.verdict != "PASS"; at most 3 attempts until/m)
  assert.match(fix.stdout, /^ {4}rereview +agent$/m)
  const missing = await adw(['pipelines', 'show', 'nope'], {cwd: dir})
  assert.is(missing.exitCode, 2)
  assert.match(missing.stderr, /^Error: pipeline "nope" not found/)
})

test('adw runs show <id>: one row per step with its own tokens and cost, and the totals', async () => {
  const store = openSqliteStore(join(dir, '.adw/orchestrator.db'))
  await store.createRun(newRun('costly', {pipelineName: 'plan-build', inputs: {prompt: 'Add login'}, workingDir: dir}))
  const plan = await store.startStep({adwId: 'costly', stepId: 'plan', iteration: 0, executor: 'agent'})
  await store.addUsage(plan, 'costly', {inputTokens: 12000, outputTokens: 3000, cacheReadTokens: 500, cacheCreationTokens: 0, costUsd: 0.041, model: 'claude-x'})
  await store.finishStep(plan, {status: 'succeeded', model: 'claude-x'})
  const fix = await store.startStep({adwId: 'costly', stepId: 'fix', iteration: 2, parentId: 'fix_loop', executor: 'agent'})
  await store.addUsage(fix, 'costly', {inputTokens: 2000, outputTokens: 200, costUsd: 0.009})
  await store.finishStep(fix, {status: 'failed', error: 'the model gave up'})
  await store.skipStep({adwId: 'costly', stepId: 'report', iteration: 0, executor: 'shell', reason: 'if: false'})
  await store.finishRun('costly', 'failed', 'step fix failed: the model gave up')
  await store.close()

  const r = await adw(['runs', 'show', 'costly'], {cwd: dir})
  assert.is(r.exitCode, 0, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0], /^Run costly · plan-build · failed · started /)
  assert.match(r.stdout, 'Inputs: prompt="Add login"')
  assert.match(r.stdout, 'Error: step fix failed: the model gave up')
  assert.match(r.stdout, /^STEP +EXECUTOR +STATUS +DURATION +MODEL +IN +OUT +CACHE R\/W +COST +NOTE$/m)
  assert.match(r.stdout, /^plan +agent +succeeded +\S+ +claude-x +12\.0k +3\.0k +500\/0 +\$0\.0410$/m)
  assert.match(r.stdout, /^ {2}fix#2 +agent +failed .* \$0\.0090 +the model gave up$/m)
  assert.match(r.stdout, /^report +shell +skipped .* \$0\.0000 +if: false$/m)
  assert.match(lines.at(-1)!, /^total +\S+ +14\.0k +3\.2k +500\/0 +\$0\.0500$/)
  const json = JSON.parse((await adw(['runs', 'show', 'costly', '--json'], {cwd: dir})).stdout)
  assert.is(json.steps.length, 3)
  assert.not.ok('pipeline_snapshot' in json.run)
  const unknown = await adw(['runs', 'show', 'nope'], {cwd: dir})
  assert.is(unknown.exitCode, 2)
  assert.match(unknown.stderr, 'Recent runs: costly')
})

test('adw run --dry-run: inputs, steps in order with executors, conditions and rendered with:; nothing runs or is recorded', async () => {
  const proj = tmpDir({
    'pipelines/ship.yaml': 'name: ship\ninputs:\n  who: {type: string, required: true}\n  loud: {type: boolean, default: false}\nsteps:\n  - id: hello\n    uses: shell\n    with: {run: "echo hello {{inputs.who}} > out.txt; echo {{env.DEPLOY_TOKEN}}"}\n  - id: shout\n    if: inputs.loud\n    uses: noop\n  - id: after\n    if: steps.hello.outputs.exitCode == 0\n    uses: shell\n    with: {run: "echo got {{steps.hello.outputs.stdout}}"}\n',
  })
  try {
    const r = await adw(['run', 'ship', '--dry-run', '-i', 'who=Ada Lovelace'], {cwd: proj, env: {DEPLOY_TOKEN: 'tok-0123456789'}})
    assert.is(r.exitCode, 0, r.stderr)
    const out = r.stdout.split('\n')
    assert.is(out[0], 'Dry run of ship (pipelines/ship.yaml): nothing runs and nothing is recorded.')
    assert.ok(out.includes('Inputs:      who="Ada Lovelace" loud=false'), r.stdout)
    assert.ok(out.includes('  hello  (shell)'), r.stdout)
    // A shell option's tags reach bash as environment variables: the script, then what each stands for.
    assert.ok(out.includes('      run: echo hello "${ADW_TAG_1}" > out.txt; echo "${ADW_TAG_2}"'), r.stdout)
    assert.ok(out.includes('        ADW_TAG_1="Ada Lovelace"'), r.stdout)
    assert.ok(out.includes('        ADW_TAG_2="[REDACTED]"'), r.stdout)
    assert.ok(out.includes('  shout  (noop)  if: inputs.loud → skipped'), r.stdout)
    assert.ok(out.includes('  after  (shell)  if: steps.hello.outputs.exitCode == 0 → decided at run time'), r.stdout)
    assert.ok(out.includes('      run: echo got "${ADW_TAG_1}"'), r.stdout)
    assert.ok(out.includes('        ADW_TAG_1="<steps.hello.outputs.stdout>"'), r.stdout)
    assert.not.match(r.stdout + r.stderr, 'tok-0123456789')
    assert.not.ok(existsSync(join(proj, 'out.txt')), 'nothing ran')
    assert.not.ok(existsSync(join(proj, '.adw')), 'nothing recorded')

    const json = JSON.parse((await adw(['run', 'ship', '--dry-run', '--json', '-i', 'who=x', '-i', 'loud=true'], {cwd: proj})).stdout)
    assert.equal(json.steps.map((s: {id: string; executor: string}) => [s.id, s.executor]), [['hello', 'shell'], ['shout', 'noop'], ['after', 'shell']])
    assert.is(json.steps[1].if.now, true)
    const missing = await adw(['run', 'ship', '--dry-run'], {cwd: proj})
    assert.is(missing.exitCode, 2, 'a missing required input is refused as by a real run')
    const agent = await adw(['run', 'plan-build', '--dry-run', '-p', 'Add login'], {cwd: proj})
    assert.is(agent.exitCode, 2, 'preflight would refuse: exit 2, after the plan')
    assert.match(agent.stdout, '  plan  (agent)')
    assert.match(agent.stdout, 'The run would be refused before starting: The agent executor needs ANTHROPIC_API_KEY')
    assert.not.ok(existsSync(join(proj, '.adw')))
  } finally {
    rmDir(proj)
  }
})

test.run()
