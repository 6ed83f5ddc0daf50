import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseEnv} from 'node:util'
import {parse, parseDocument} from 'yaml'
import {resolveConfig} from '../../src/config.js'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {configYaml, scaffoldJson, snapshot} from './scaffold.helpers.js'

const HOSTILE = [
  'a: b # c',
  'say "hi" and \'bye\'',
  'two\nlines: injected',
  '{{x}} {{{y}}} {{& z}}',
  '- [x] {a: 1} *anchor &ref !tag %dir @at `tick`',
  'tab\there \\ back\\slash \u2028 sep',
]

for (const value of HOSTILE) {
  test(`hostile value ${JSON.stringify(value)}: every file stays valid and round-trips it`, async () => {
    const config = {project: {name: value}, database: {path: `db/${value}.db`}, agent_sdk: {model: value}}
    const dir = tmpDir({'c.yaml': configYaml(config)})
    try {
      const r = await adw(['scaffold', 'p', '--config', 'c.yaml'], {cwd: dir})
      assert.is(r.exitCode, 0, r.stderr)
      const text = readFileSync(join(dir, 'p/adw.config.yaml'), 'utf8')
      const doc = parseDocument(text)
      assert.equal(doc.errors, [], text)
      assert.equal(doc.toJS(), {project: {name: value}, database: {path: `db/${value}.db`}, agent_sdk: {model: value}, logging: {level: 'INFO'}})
      assert.is(text.split('\n').length, 14, 'no value added a line')
      // The comments of .env.example stay comments: no value starts a variable of its own.
      const env = parseEnv(readFileSync(join(dir, 'p/.env.example'), 'utf8'))
      assert.equal(Object.keys(env), ['ANTHROPIC_API_KEY'])
      // adw's own config reader (what `adw run` uses in the project) reads the values back.
      const resolved = await resolveConfig({cwd: join(dir, 'p'), env: {}})
      assert.is(resolved.projectName, value)
      assert.is(resolved.model, value)
      assert.is(resolved.dbPath, join(dir, 'p', `db/${value}.db`))
    } finally {
      rmDir(dir)
    }
  })
}

test('.env.example values parse back to the config values with Node\'s parseEnv once uncommented', async () => {
  for (const value of ['plain/path.db', 'with space.db', 'say "hi".db', 'it\'s.db', 'a#b.db', 'new\nline.db', 'it\'s\n.db']) {
    const dir = tmpDir({'c.yaml': configYaml({database: {path: value}})})
    try {
      assert.is((await adw(['scaffold', 'p', '--config', 'c.yaml'], {cwd: dir})).exitCode, 0)
      const line = readFileSync(join(dir, 'p/.env.example'), 'utf8').split('\n').find(l => l.startsWith('# DATABASE_PATH='))!
      const parsed = parseEnv(line.slice(2)).DATABASE_PATH
      assert.is(parsed, value, line)
    } finally {
      rmDir(dir)
    }
  }
})

test('a gitignore-special database path is escaped to match exactly that file', async () => {
  const dir = tmpDir({'c.yaml': configYaml({database: {path: './data/#run[1]*.db'}})})
  try {
    assert.is((await adw(['scaffold', 'p', '--config', 'c.yaml'], {cwd: dir})).exitCode, 0)
    const lines = readFileSync(join(dir, 'p/.gitignore'), 'utf8').split('\n')
    assert.equal(lines.slice(1, 4), ['data/#run\\[1]\\*.db', 'data/#run\\[1]\\*.db-wal', 'data/#run\\[1]\\*.db-shm'])
  } finally {
    rmDir(dir)
  }
})

/** Scaffolds with `text` as --config and expects exit 2, `messages` on stderr and nothing written. */
async function refused(text: string | undefined, messages: Array<string | RegExp>) {
  const dir = tmpDir(text === undefined ? {} : {'c.yaml': text})
  try {
    const before = snapshot(dir)
    const r = await scaffoldJson(['p', '--config', 'c.yaml'], dir)
    assert.is(r.exitCode, 2, r.stdout + r.stderr)
    assert.is(r.stdout, '')
    for (const m of messages) assert.match(r.stderr, m)
    assert.not.ok(existsSync(join(dir, 'p')), 'nothing written')
    assert.equal(snapshot(dir), before)
  } finally {
    rmDir(dir)
  }
}

test('unknown logging level → exit 2 naming logging.level at file:line:col', async () => {
  await refused(configYaml({logging: {level: 'LOUD'}}), ['Error: c.yaml:8:10: logging.level must be one of DEBUG, INFO, WARNING, ERROR', /^ {2}8 \| {3}level: LOUD$/m])
})

test('wrong types → every bad key reported at once', async () => {
  await refused(configYaml({project: {name: 42}, database: {path: ['a']}, agent_sdk: 'claude'}), [
    'c.yaml:2:9: project.name must be a non-empty string',
    'c.yaml:5:5: database.path must be a non-empty string (a file path)',
    'c.yaml:6:12: agent_sdk must be a mapping with model',
  ])
})

test('missing keys and sections → exit 2 naming each key', async () => {
  await refused('project:\n  name: demo\ndatabase: {}\nlogging:\n  level: INFO\n', [
    'c.yaml:3:1: missing key "database.path"',
    'c.yaml:1:1: missing key "agent_sdk.model" (no agent_sdk section)',
  ])
  await refused('', ['missing key "project.name"', 'missing key "logging.level"'])
  await refused(configYaml({project: {name: ''}}), ['c.yaml:2:9: project.name must be a non-empty string'])
})

test('unknown keys, YAML syntax errors and a missing file → exit 2', async () => {
  await refused(configYaml({loging: {level: 'INFO'}}), ['unknown section "loging"'])
  await refused(configYaml({project: {name: 'x', title: 'y'}}), ['unknown key "project.title"'])
  await refused('project:\n  name: "unclosed\n', [/^Error: c\.yaml:\d+:\d+: Missing closing "quote/])
  await refused(undefined, ['Error: --config c.yaml: no such file'])
})

test('a lower-case level is accepted and written upper-case', async () => {
  const dir = tmpDir({'c.yaml': configYaml({logging: {level: 'debug'}})})
  try {
    const r = await scaffoldJson(['p', '--config', 'c.yaml'], dir)
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(parse(readFileSync(join(dir, 'p/adw.config.yaml'), 'utf8')).logging.level, 'DEBUG')
  } finally {
    rmDir(dir)
  }
})

test.run()
