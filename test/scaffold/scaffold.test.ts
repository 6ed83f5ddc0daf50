import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {parse} from 'yaml'
import {adw, ROOT, rmDir, tmpDir} from '../helpers/cli.js'
import {actions, configYaml, FILES, PIPELINES, scaffoldJson, snapshot} from './scaffold.helpers.js'

const read = (...p: string[]) => readFileSync(join(...p), 'utf8')

test('creates the missing directory with every file, and prints a table of what it did', async () => {
  const base = tmpDir({'config.yaml': configYaml()})
  try {
    const r = await adw(['scaffold', 'new/project', '--config', 'config.yaml'], {cwd: base})
    assert.is(r.exitCode, 0, r.stderr)
    const dir = join(base, 'new/project')
    for (const f of FILES) assert.ok(existsSync(join(dir, f)), f)
    const lines = r.stdout.split('\n')
    assert.ok(lines.includes('Scaffolded new/project:'), r.stdout)
    assert.match(r.stdout, /^ACTION\s+PATH/m)
    for (const f of FILES) assert.ok(lines.some(l => new RegExp(`^created\\s+${f.replace(/\./g, '\\.')}\\s*$`).test(l)), `row for ${f}\n${r.stdout}`)
    assert.equal(parse(read(dir, 'adw.config.yaml')), parse(configYaml()))
    assert.is(read(dir, '.gitignore'), '# adw: the SQLite database and its WAL files\ndata/orchestrator.db\ndata/orchestrator.db-wal\ndata/orchestrator.db-shm\n')
    const env = read(dir, '.env.example')
    for (const key of ['ANTHROPIC_API_KEY', 'DATABASE_PATH', 'AGENT_MODEL', 'LOG_LEVEL', 'ANTHROPIC_BASE_URL']) assert.match(env, new RegExp(`^#? ?${key}=`, 'm'))
    assert.match(env, /^ANTHROPIC_API_KEY=$/m)
    assert.match(env, /^# AGENT_MODEL=claude-test-model-1$/m)
    assert.match(env, /^# DATABASE_PATH=data\/orchestrator.db$/m)
  } finally {
    rmDir(base)
  }
})

test('every scaffolded pipeline passes adw validate, and its $schema line resolves to the schema beside it', async () => {
  const dir = tmpDir()
  try {
    assert.is((await adw(['scaffold', dir])).exitCode, 0)
    const files = PIPELINES.map(p => `pipelines/${p}.yaml`)
    const r = await adw(['validate', ...files], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    // (validate summarises a pipeline written as a graph: how many steps, where it starts, how many at once)
    assert.is(r.stdout.replace(/ \(\d+ steps; .*\)$/gm, ''), files.map(f => `✓ ${f}`).join('\n'))
    for (const f of files) {
      const first = read(dir, f).split('\n')[0]
      assert.is(first, '# yaml-language-server: $schema=./pipeline.schema.json')
      assert.ok(existsSync(join(dir, 'pipelines', first.split('$schema=')[1])))
    }
    assert.is(read(dir, 'pipelines/pipeline.schema.json'), read(ROOT, 'pipelines/pipeline.schema.json'))
  } finally {
    rmDir(dir)
  }
})

test('one source of truth: the scaffolded pipelines are the package pipelines (only the $schema line may differ)', async () => {
  const dir = tmpDir({'c.yaml': configYaml({agent_sdk: {model: 'claude-other-9'}})})
  try {
    assert.is((await adw(['scaffold', 'p', '--config', 'c.yaml'], {cwd: dir})).exitCode, 0)
    const body = (text: string) => text.replace(/^# yaml-language-server: \$schema=.*\n/, '')
    for (const p of PIPELINES) {
      const pkg = read(ROOT, 'pipelines', `${p}.yaml`)
      const ours = read(dir, 'p/pipelines', `${p}.yaml`)
      assert.is(body(ours), body(pkg), p)
      assert.equal(parse(ours), parse(pkg))
      // The model is the project's config, not baked into the pipeline: --model and AGENT_MODEL still win.
      assert.not.match(ours, 'claude-other-9')
    }
  } finally {
    rmDir(dir)
  }
})

test('the default config: project name from the folder, orchestrator.db, the agent default model, INFO', async () => {
  const base = tmpDir()
  try {
    const r = await scaffoldJson(['my-app'], base)
    assert.is(r.exitCode, 0, r.stderr)
    const {DEFAULT_MODEL} = await import('../../src/plugins/agent.js')
    const expected = {project: {name: 'my-app'}, database: {path: 'orchestrator.db'}, agent_sdk: {model: DEFAULT_MODEL}, logging: {level: 'INFO'}}
    assert.equal(r.plan.config, expected)
    assert.equal(parse(read(base, 'my-app/adw.config.yaml')), expected)
    assert.is(r.plan.dir, join(base, 'my-app'))
    assert.is(r.plan.dryRun, false)
    assert.equal(r.plan.files.map((f: any) => f.path), FILES)
    assert.ok(basename(r.plan.dir) === 'my-app')
  } finally {
    rmDir(base)
  }
})

test('a second run is a no-op that keeps the user\'s edits; --force overwrites them but never rewrites .gitignore', async () => {
  const dir = tmpDir()
  try {
    assert.is((await adw(['scaffold', dir])).exitCode, 0)
    const edited = read(dir, 'pipelines/plan-build.yaml').replace('name: plan-build', 'name: my-plan-build')
    writeFileSync(join(dir, 'pipelines/plan-build.yaml'), edited)
    writeFileSync(join(dir, '.gitignore'), read(dir, '.gitignore') + 'node_modules/\n')
    const before = snapshot(dir)

    const again = await scaffoldJson([dir])
    assert.is(again.exitCode, 0, again.stderr)
    assert.ok(Object.values(actions(again.plan)).every(a => a === 'skip'), again.stdout)
    assert.is(again.plan.files.find((f: any) => f.path === 'pipelines/plan-build.yaml').reason, 'exists (--force overwrites)')
    assert.equal(snapshot(dir), before)

    const table = await adw(['scaffold', dir])
    assert.match(table.stdout, /^skipped\s+pipelines\/plan-build\.yaml\s+exists \(--force overwrites\)$/m)

    const forced = await scaffoldJson([dir, '--force'])
    assert.is(forced.exitCode, 0, forced.stderr)
    const acts = actions(forced.plan)
    assert.is(acts['pipelines/plan-build.yaml'], 'overwrite')
    assert.is(acts['pipelines/plan-build-review.yaml'], 'skip', 'an unchanged file is not rewritten')
    assert.is(acts['.gitignore'], 'skip')
    assert.is(read(dir, 'pipelines/plan-build.yaml'), read(ROOT, 'pipelines/plan-build.yaml'))
    assert.is(read(dir, '.gitignore'), before['.gitignore'], '.gitignore keeps the user\'s lines')
  } finally {
    rmDir(dir)
  }
})

test('--dry-run prints the plan and writes nothing, not even the directory', async () => {
  const base = tmpDir({'proj/.gitignore': 'node_modules/\n', 'proj/adw.config.yaml': 'project:\n  name: mine\n'})
  try {
    const before = snapshot(base)
    const r = await adw(['scaffold', 'proj', '--dry-run'], {cwd: base})
    assert.is(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, 'Dry run: nothing written. Plan for proj:')
    assert.match(r.stdout, /^create\s+pipelines\/plan-build\.yaml\s*$/m)
    assert.match(r.stdout, /^skip\s+adw\.config\.yaml\s+exists/m)
    assert.match(r.stdout, /^update\s+\.gitignore\s+3 lines added$/m)
    const forced = await scaffoldJson(['proj', '--dry-run', '--force'], base)
    assert.is(actions(forced.plan)['adw.config.yaml'], 'overwrite')
    assert.is(forced.plan.dryRun, true)
    const fresh = await adw(['scaffold', 'nowhere/deep', '--dry-run'], {cwd: base})
    assert.is(fresh.exitCode, 0, fresh.stderr)
    assert.equal(snapshot(base), before)
    assert.not.ok(existsSync(join(base, 'nowhere')))
  } finally {
    rmDir(base)
  }
})

test('.gitignore: appended once (only the missing lines), created when absent, an anchored entry counts', async () => {
  const dir = tmpDir({'.gitignore': 'node_modules/\n/orchestrator.db\ndist/'})
  try {
    const r = await scaffoldJson([dir])
    assert.is(actions(r.plan)['.gitignore'], 'update')
    assert.is(r.plan.files.find((f: any) => f.path === '.gitignore').reason, '2 lines added')
    assert.is(read(dir, '.gitignore'), 'node_modules/\n/orchestrator.db\ndist/\n\n# adw: the SQLite database and its WAL files\norchestrator.db-wal\norchestrator.db-shm\n')
    assert.is((await adw(['scaffold', dir, '--force'])).exitCode, 0)
    assert.is(read(dir, '.gitignore').match(/orchestrator\.db-wal/g)!.length, 1)
    // One entry removed by hand comes back alone, without a second comment line.
    writeFileSync(join(dir, '.gitignore'), read(dir, '.gitignore').replace('orchestrator.db-shm\n', ''))
    assert.is((await adw(['scaffold', dir])).exitCode, 0)
    assert.is(read(dir, '.gitignore').match(/# adw:/g)!.length, 1)
    assert.ok(read(dir, '.gitignore').endsWith('orchestrator.db-wal\n\norchestrator.db-shm\n'))
  } finally {
    rmDir(dir)
  }
})

test('a database outside the project gets no .gitignore entry', async () => {
  const dir = tmpDir({'c.yaml': configYaml({database: {path: '/var/lib/adw/x.db'}})})
  try {
    const r = await scaffoldJson(['p', '--config', 'c.yaml'], dir)
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(actions(r.plan)['.gitignore'], 'skip')
    assert.match(r.plan.files.at(-1).reason, 'outside the project')
    assert.not.ok(existsSync(join(dir, 'p/.gitignore')))
  } finally {
    rmDir(dir)
  }
})

test('a file where the directory should be → exit 2, nothing written', async () => {
  const dir = tmpDir({taken: 'x'})
  try {
    const r = await adw(['scaffold', 'taken'], {cwd: dir})
    assert.is(r.exitCode, 2)
    assert.is(r.stderr, 'Error: taken exists and is not a directory')
    assert.equal(snapshot(dir), {taken: 'x'})
  } finally {
    rmDir(dir)
  }
})

test('help shows the flags and examples', async () => {
  const r = await adw(['scaffold', '--help'])
  assert.is(r.exitCode, 0)
  for (const s of ['--config', '--force', '--dry-run', '--json', 'adw scaffold ../new-project --config config.yaml --dry-run']) assert.match(r.stdout, s)
})

test.run()
