// resolveConfig and readConfigFile called directly: the precedence rules of README "Configuration",
// every value check and its file:line:col. In-process and fast, so `npm run mutate -- config` runs it
// for every mutant (the CLI-level twin is precedence.test.ts).
import {existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readConfigFile, readDotEnv, resolveConfig, resolveDbPath} from '../../src/config.js'
import {MAX_CONFIG_FILE_BYTES} from '../../src/limits.js'
import {prepareStateDir} from '../../src/project.js'
import {PRICES} from '../../src/budget/prices.js'
import {AdwError} from '../../src/errors.js'
import {rmDir, tmpDir} from '../helpers/cli.js'

const dirs: string[] = []
const project = (files: Record<string, string> = {}) => {
  dirs.push(realpathSync(tmpDir(files, 'adw-resolve-')))
  return dirs.at(-1)!
}
test.after(() => dirs.forEach(rmDir))

const CONFIG = 'project: {name: demo}\ndatabase: {path: data/cfg.db}\nagent_sdk: {model: cfg-model}\nlogging: {level: error}\n'

/** The CONFIG_INVALID message of a rejected promise or call. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, 'CONFIG_INVALID')
    assert.is((error as AdwError).exitCode, 2)
    return (error as Error).message
  }
  throw new Error('expected CONFIG_INVALID')
}

test('defaults: INFO, no model, .adw/orchestrator.db at the project root, no config file, env without empty values', async () => {
  const dir = project()
  const c = await resolveConfig({cwd: dir, env: {PATH: '/bin', EMPTY: ''}})
  assert.equal({...c, env: {...c.env}, trustedEnv: {...c.trustedEnv}}, {dbPath: join(dir, '.adw/orchestrator.db'), model: undefined, logLevel: 'INFO', projectName: undefined, env: {PATH: '/bin'}, ignored: [], configFile: undefined, projectRoot: dir, sandbox: 'on', prices: PRICES, trustedEnv: {PATH: '/bin'}, executorLimits: {}, record: {enabled: true, maxBytes: 26214400}})
})

test('adw.config.yaml: its model, level (any case) and project name; its database path is relative to the file', async () => {
  const dir = project({'adw.config.yaml': CONFIG, 'sub/x': ''})
  const c = await resolveConfig({cwd: join(dir, 'sub'), env: {}})
  assert.is(c.model, 'cfg-model')
  assert.is(c.logLevel, 'ERROR')
  assert.is(c.projectName, 'demo')
  assert.is(c.dbPath, join(dir, 'data/cfg.db'))
  assert.is(c.configFile, join(dir, 'adw.config.yaml'))
  assert.is(c.projectRoot, dir)
})

test('an existing orchestrator.db at the root is the default database', async () => {
  const dir = project({'orchestrator.db': ''})
  assert.is((await resolveConfig({cwd: dir, env: {}})).dbPath, join(dir, 'orchestrator.db'))
})

test('.env of the working directory over adw.config.yaml; the environment over .env; flags over both', async () => {
  const dir = project({'adw.config.yaml': CONFIG, 'work/.env': 'AGENT_MODEL=dotenv-model\nDATABASE_PATH=dotenv.db\nLOG_LEVEL=warning\nEXTRA=from-dotenv\nBLANK=\n'})
  const work = join(dir, 'work')
  const fromDotenv = await resolveConfig({cwd: dir, workingDir: work, env: {}})
  assert.equal([fromDotenv.model, fromDotenv.dbPath, fromDotenv.logLevel], ['dotenv-model', join(dir, 'dotenv.db'), 'WARNING'])
  assert.is(fromDotenv.env.EXTRA, 'from-dotenv')
  assert.not.ok('BLANK' in fromDotenv.env, 'an empty value is no value')

  const env = {AGENT_MODEL: 'env-model', DATABASE_PATH: '/abs/env.db', LOG_LEVEL: 'DEBUG', EXTRA: 'from-env', LOG_EMPTY: ''}
  const fromEnv = await resolveConfig({cwd: dir, workingDir: work, env})
  assert.equal([fromEnv.model, fromEnv.dbPath, fromEnv.logLevel, fromEnv.env.EXTRA], ['env-model', '/abs/env.db', 'DEBUG', 'from-env'])

  const fromFlags = await resolveConfig({cwd: work, workingDir: work, env, model: 'flag-model', db: 'flag.db'})
  assert.equal([fromFlags.model, fromFlags.dbPath], ['flag-model', join(work, 'flag.db')])
  // An empty environment value does not hide the .env one.
  const blank = await resolveConfig({cwd: dir, workingDir: work, env: {AGENT_MODEL: '', DATABASE_PATH: ''}})
  assert.equal([blank.model, blank.dbPath], ['dotenv-model', join(dir, 'dotenv.db')])
})

test('the .env is read from the working directory only (default: the cwd)', async () => {
  const dir = project({'.env': 'AGENT_MODEL=root-model\n', 'work/.env': 'AGENT_MODEL=work-model\n'})
  assert.is((await resolveConfig({cwd: dir, env: {}})).model, 'root-model')
  assert.is((await resolveConfig({cwd: dir, workingDir: join(dir, 'work'), env: {}})).model, 'work-model')
  assert.equal(readDotEnv(join(dir, 'nowhere')), {})
  assert.equal(readDotEnv(join(dir, 'work')), {AGENT_MODEL: 'work-model'})
})

test('a bad LOG_LEVEL names the variable; a bad logging.level in the file names the key', async () => {
  const dir = project()
  assert.is(await refusal(resolveConfig({cwd: dir, env: {LOG_LEVEL: 'loud'}})), 'LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL; got "loud"')
  writeFileSync(join(dir, '.env'), 'LOG_LEVEL=chatty\n')
  assert.is(await refusal(resolveConfig({cwd: dir, env: {}})), 'LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL; got "chatty"')
})

test('readConfigFile: every problem at file:line:col with the source line and a caret', async () => {
  const dir = project({'c.yaml': 'project: {name: ""}\ndatabase: {path: 42}\nagent_sdk: {model: "  "}\nlogging: {level: LOUD}\nextra: {}\nproject2: 1\n'})
  const msg = await refusal(readConfigFile(join(dir, 'c.yaml'), 'c.yaml'))
  assert.equal(msg.split('\n').filter(l => /^c\.yaml:/.test(l)), [
    'c.yaml:1:17: project.name must be a non-empty string',
    'c.yaml:2:18: database.path must be a non-empty string (a file path)',
    'c.yaml:3:20: agent_sdk.model must be a non-empty string (a model id)',
    'c.yaml:4:18: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL',
    'c.yaml:5:1: unknown section "extra"; allowed: project, database, agent_sdk, logging, budget, ui, telemetry, github, record, sandbox, isolation, env, prices, notify, executors',
    'c.yaml:6:1: unknown section "project2"; allowed: project, database, agent_sdk, logging, budget, ui, telemetry, github, record, sandbox, isolation, env, prices, notify, executors',
  ])
  assert.match(msg, 'c.yaml:2:18: database.path must be a non-empty string (a file path)\n  2 | database: {path: 42}\n                       ^')
})

test('readConfigFile: a section that is not a mapping, an unknown key, a syntax error, a duplicate key, a list at the top', async () => {
  const dir = project({
    'a.yaml': 'database: data.db\nagent_sdk: {model: m, temperature: 1}\n',
    'b.yaml': 'logging: {level: [unclosed\n',
    'c.yaml': 'logging: {level: INFO}\nlogging: {level: DEBUG}\n',
    'd.yaml': '- project\n- database\n',
  })
  assert.equal((await refusal(readConfigFile(join(dir, 'a.yaml'), 'a.yaml'))).split('\n').filter(l => /^a\.yaml:/.test(l)), [
    'a.yaml:1:11: database must be a mapping with path, url',
    'a.yaml:2:23: unknown key "agent_sdk.temperature"; allowed: agent_sdk.model',
  ])
  assert.match(await refusal(readConfigFile(join(dir, 'b.yaml'), 'b.yaml')), /^b\.yaml:\d+:\d+: /)
  assert.match(await refusal(readConfigFile(join(dir, 'c.yaml'), 'c.yaml')), /^c\.yaml:2:1: Map keys must be unique/)
  assert.match(await refusal(readConfigFile(join(dir, 'd.yaml'), 'd.yaml')), /^d\.yaml:1:1: the config must be a mapping of sections \(project, database, agent_sdk, logging, sandbox\)/)
})

test('readConfigFile: an empty file is an empty config; values come back with the level upper-cased', async () => {
  const dir = project({'empty.yaml': '', 'ok.yaml': CONFIG})
  assert.equal(await readConfigFile(join(dir, 'empty.yaml')), {})
  assert.equal(await readConfigFile(join(dir, 'ok.yaml')), {project: {name: 'demo'}, database: {path: 'data/cfg.db'}, agent_sdk: {model: 'cfg-model'}, logging: {level: 'ERROR'}})
})

test('readConfigFile requireAll (adw scaffold --config): every missing key, with or without its section', async () => {
  const dir = project({'part.yaml': 'project: {name: p}\ndatabase: {}\n', 'none.yaml': ''})
  const part = await refusal(readConfigFile(join(dir, 'part.yaml'), 'part.yaml', {requireAll: true}))
  assert.equal(part.split('\n').filter(l => /^part\.yaml:/.test(l)), [
    'part.yaml:2:1: missing key "database.path"',
    'part.yaml:1:1: missing key "agent_sdk.model" (no agent_sdk section)',
    'part.yaml:1:1: missing key "logging.level" (no logging section)',
  ])
  const none = await refusal(readConfigFile(join(dir, 'none.yaml'), 'none.yaml', {requireAll: true}))
  assert.is(none.split('\n').filter(l => /^none\.yaml:/.test(l)).length, 4)
  // Without requireAll, missing keys are fine.
  assert.equal(await readConfigFile(join(dir, 'part.yaml')), {project: {name: 'p'}, database: {}})
})

test('a config file is found upwards, but not above the git root', async () => {
  const dir = project({'adw.config.yaml': 'agent_sdk: {model: outer}\n', 'repo/src/x': ''})
  mkdirSync(join(dir, 'repo/.git'))
  const inner = await resolveConfig({cwd: join(dir, 'repo/src'), env: {}})
  assert.is(inner.model, undefined)
  assert.is(inner.projectRoot, join(dir, 'repo'))
  assert.is((await resolveConfig({cwd: dir, env: {}})).model, 'outer')
})

test('values of the wrong kind or only blanks are refused, each at its value', async () => {
  const dir = project({'k.yaml': 'project: {name: 42}\ndatabase: {path: "  "}\nagent_sdk: {model: [m]}\nlogging: {level: 3}\n', 'n.yaml': 'project: {name: " "}\n'})
  assert.equal((await refusal(readConfigFile(join(dir, 'k.yaml'), 'k.yaml'))).split('\n').filter(l => /^k\.yaml:/.test(l)), [
    'k.yaml:1:17: project.name must be a non-empty string',
    'k.yaml:2:18: database.path must be a non-empty string (a file path)',
    'k.yaml:3:20: agent_sdk.model must be a non-empty string (a model id)',
    'k.yaml:4:18: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL',
  ])
  assert.match(await refusal(readConfigFile(join(dir, 'n.yaml'), 'n.yaml')), /^n\.yaml:1:17: project\.name must be a non-empty string/)
})

test('odd shapes: a syntax error alone, a list after a comment, non-scalar keys, empty sections and values', async () => {
  const dir = project({
    'syntax.yaml': 'bogus: [unclosed\n',
    'list.yaml': '# settings\n- project\n',
    'keys.yaml': '[x]: 1\ndatabase: {[y]: 2}\n',
    'empty.yaml': 'database:\nagent_sdk:\n  model:\n',
  })
  const lines = async (f: string, opts = {}) => (await refusal(readConfigFile(join(dir, f), f, opts))).split('\n').filter(l => l.startsWith(`${f}:`))
  assert.equal((await lines('syntax.yaml')).length, 1, 'a syntax error, not also an unknown section')
  assert.equal((await lines('syntax.yaml', {requireAll: true})).length, 1, 'nor missing keys')
  assert.equal(await lines('list.yaml'), ['list.yaml:2:1: the config must be a mapping of sections (project, database, agent_sdk, logging, sandbox)'])
  assert.equal(await lines('list.yaml', {requireAll: true}), ['list.yaml:2:1: the config must be a mapping of sections (project, database, agent_sdk, logging, sandbox)'])
  assert.equal(await lines('keys.yaml'), ['keys.yaml:1:1: unknown section "?"; allowed: project, database, agent_sdk, logging, budget, ui, telemetry, github, record, sandbox, isolation, env, prices, notify, executors', 'keys.yaml:2:12: unknown key "database.?"; allowed: database.path, database.url'])
  assert.equal(await lines('empty.yaml'), ['empty.yaml:1:10: database must be a mapping with path, url', 'empty.yaml:3:9: agent_sdk.model must be a non-empty string (a model id)'])
})

test('requireAll: a section without the key, beside other keys, is still missing it', async () => {
  const dir = project({'c.yaml': 'project: {name: p}\ndatabase: {path: x.db}\nagent_sdk: {model: m}\nlogging: {}\n', 'd.yaml': 'project: {name: p}\ndatabase: {path: x.db}\nagent_sdk: {model: m}\nlogging: {level: INFO}\n'})
  assert.equal((await refusal(readConfigFile(join(dir, 'c.yaml'), 'c.yaml', {requireAll: true}))).split('\n').filter(l => l.startsWith('c.yaml:')), ['c.yaml:4:1: missing key "logging.level"'])
  assert.equal(await readConfigFile(join(dir, 'd.yaml'), 'd.yaml', {requireAll: true}), {project: {name: 'p'}, database: {path: 'x.db'}, agent_sdk: {model: 'm'}, logging: {level: 'INFO'}})
})

test('a .env or adw.config.yaml that is a directory, or a config over its size limit: CONFIG_INVALID naming it, with what to do', async () => {
  const dir = project({'big/adw.config.yaml': `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`})
  mkdirSync(join(dir, '.env'))
  try {
    readDotEnv(dir)
    assert.unreachable('a .env directory was read')
  } catch (error) {
    assert.instance(error, AdwError)
    assert.is((error as AdwError).code, 'CONFIG_INVALID')
    assert.is((error as AdwError).message, `The .env file ${join(dir, '.env')} is a directory, not a file`)
    assert.equal((error as AdwError).suggestions, ['adw loads KEY=value lines from a .env file in the working directory: rename or remove this directory, or run in another --working-dir'])
  }
  mkdirSync(join(dir, 'cfgdir/adw.config.yaml'), {recursive: true})
  const asDir = await refusal(readConfigFile(join(dir, 'cfgdir/adw.config.yaml'), 'adw.config.yaml'))
  assert.is(asDir, 'The config file adw.config.yaml is a directory, not a file')
  try {
    await readConfigFile(join(dir, 'cfgdir/adw.config.yaml'), 'adw.config.yaml')
  } catch (error) {
    assert.equal((error as AdwError).suggestions, ['adw reads project settings from a YAML file named adw.config.yaml: rename or remove this directory (adw scaffold writes a valid file)'])
  }
  try {
    await readConfigFile(join(dir, 'big/adw.config.yaml'), 'adw.config.yaml')
    assert.unreachable('an oversized config was read')
  } catch (error) {
    assert.is((error as AdwError).code, 'CONFIG_INVALID')
    assert.match((error as AdwError).message, /^The config file adw\.config\.yaml is \d.* [KM]iB: adw reads at most \d.* [KM]iB from it$/)
    assert.equal((error as AdwError).suggestions, ['an adw config holds four keys (project.name, database.path, agent_sdk.model, logging.level): check that this is the file you meant'])
  }
})

test('resolveDbPath: the database path alone, by the same rules; undefined values are no values', async () => {
  const dir = project({'adw.config.yaml': 'database: {path: cfg.db}\n'})
  assert.is(await resolveDbPath({cwd: dir, env: {}}), join(dir, 'cfg.db'))
  assert.is(await resolveDbPath({cwd: dir, env: {DATABASE_PATH: 'e.db'}}), join(dir, 'e.db'))
  assert.is(await resolveDbPath({cwd: dir, env: {}, db: '/abs/flag.db'}), '/abs/flag.db')
  const c = await resolveConfig({cwd: dir, env: {GONE: undefined, KEPT: 'k'}})
  assert.not.ok('GONE' in c.env)
  assert.is(c.env.KEPT, 'k')
})

test('prepareStateDir: .adw/ gets a .gitignore of * once (an existing one is kept); other folders are left alone', () => {
  const dir = project({'other/x': ''})
  prepareStateDir(join(dir, '.adw/orchestrator.db'))
  const ignore = readFileSync(join(dir, '.adw/.gitignore'), 'utf8')
  assert.equal(ignore.split('\n').filter(l => l && !l.startsWith('#')), ['*'])
  writeFileSync(join(dir, '.adw/.gitignore'), 'mine\n')
  prepareStateDir(join(dir, '.adw/orchestrator.db'))
  assert.is(readFileSync(join(dir, '.adw/.gitignore'), 'utf8'), 'mine\n', 'not overwritten')
  prepareStateDir(join(dir, 'other/orchestrator.db'))
  assert.not.ok(existsSync(join(dir, 'other/.gitignore')))
  prepareStateDir(join(dir, 'deep/er/.adw/x.db'))
  assert.ok(existsSync(join(dir, 'deep/er/.adw/.gitignore')), 'parents are created')
  writeFileSync(join(dir, 'file'), '')
  assert.throws(() => prepareStateDir(join(dir, 'file/.adw/x.db')), /ENOTDIR|EEXIST/)
  mkdirSync(join(dir, 'ro/.adw'), {recursive: true})
  mkdirSync(join(dir, 'ro/.adw/.gitignore'))
  assert.not.throws(() => prepareStateDir(join(dir, 'ro/.adw/x.db')), 'EEXIST: something is there already')
})

test('sandbox: ADW_SANDBOX from the process environment > adw.config.yaml > on; never from .env', async () => {
  const dir = project({'.env': 'ADW_SANDBOX=off\n'})
  assert.is((await resolveConfig({cwd: dir, env: {}})).sandbox, 'on', 'a cloned repository cannot switch it off with its .env')
  writeFileSync(join(dir, 'adw.config.yaml'), 'sandbox: off\n')
  assert.is((await resolveConfig({cwd: dir, env: {}})).sandbox, 'off')
  writeFileSync(join(dir, 'adw.config.yaml'), 'sandbox: false\n')
  assert.is((await resolveConfig({cwd: dir, env: {}})).sandbox, 'off', 'YAML false is off')
  assert.is((await resolveConfig({cwd: dir, env: {ADW_SANDBOX: 'on'}})).sandbox, 'on')
  assert.is(await refusal(resolveConfig({cwd: dir, env: {ADW_SANDBOX: 'maybe'}})), 'ADW_SANDBOX must be "on" or "off"; got "maybe"')
  writeFileSync(join(dir, 'adw.config.yaml'), 'sandbox: sometimes\n')
  assert.match(await refusal(resolveConfig({cwd: dir, env: {}})), /adw\.config\.yaml:1:10: sandbox must be "on" or "off"/)
})

test('executors: per-executor concurrency limits; every bad shape at its file:line:col', async () => {
  const dir = project({'adw.config.yaml': 'executors:\n  agent: {concurrency: 2}\n  shell:\n    concurrency: 8\n'})
  assert.equal((await resolveConfig({cwd: dir, env: {}})).executorLimits, {agent: 2, shell: 8})
  writeFileSync(join(dir, 'adw.config.yaml'), 'executors:\n  agent: {concurrency: 1.5, max: 3}\n  shell: 4\n')
  const lines = (await refusal(resolveConfig({cwd: dir, env: {}}))).split('\n').filter(l => l.startsWith(dir))
  assert.equal(lines.map(l => l.slice(dir.length + 1)), [
    'adw.config.yaml:2:24: executors.agent.concurrency must be a whole number from 1 to 1000 (most agent steps running at once); got 1.5',
    'adw.config.yaml:2:29: unknown key "executors.agent.max"; allowed: executors.agent.concurrency',
    'adw.config.yaml:3:10: executors.shell must be a mapping with concurrency, e.g. executors: {agent: {concurrency: 2}}',
  ])
})

test.run()
