// Every place a secret can reach, through the real CLI and a real SQLite file: not one piece of a
// secret, in any encoding, in the database (WAL included), the logs, or the terminal.
import {spawnSync} from 'node:child_process'
import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, adw, isolatedEnv, rmDir, ROOT, tmpDir} from '../helpers/cli.js'
import {dbBytes, rows} from '../helpers/db.js'
import {lastMessageText, reply, startFakeAnthropic, type FakeAnthropic} from '../helpers/fake-anthropic.js'
import {leaks, S, SECRET_ENV} from './secrets.helpers.js'

const MASK = '[REDACTED]'
const PIPELINE = `name: leaky
inputs:
  tok: {type: string, secret: true, required: true}
  note: {type: string}
steps:
  - id: shell_out
    uses: shell
    with:
      env: {TOK: "{{inputs.tok}}"}
      run: |
        echo "stdout $DB_PASS"
        echo "stderr $GITHUB_TOKEN" >&2
        node -e 'console.log(JSON.stringify({p: process.env.DB_PASS, m: process.env.MYSQL_PWD, t: process.env.TOK}))'
        printf '%s\\n' "$API_PRIVATE_KEY"
        node -e 'process.stdout.write("x".repeat(3990) + process.env.GITHUB_TOKEN + "y".repeat(30) + "\\n")'
        node -e 'process.stdout.write("x".repeat(19995) + process.env.DB_PASS + "\\n")'
        echo "input $TOK"
        sleep 0.3
  - id: shell_fail
    uses: shell
    continueOnError: true
    with: {run: 'echo "failing with $MYSQL_PWD" >&2; exit 3'}
  - id: local_fail
    uses: ./leak.js
    continueOnError: true
    with: {s: "{{inputs.tok}}", t: "{{env.DB_PASS}}"}
  - id: local_outputs
    uses: ./leak.js
    with: {s: "{{inputs.tok}}", t: "{{env.DB_PASS}}", mode: outputs}
  - id: agent_tools
    uses: agent
    continueOnError: true
    with: {prompt: "route-tools {{inputs.tok}}", tools: [Read]}
  - id: agent_error
    uses: agent
    continueOnError: true
    with: {prompt: "route-error"}
  - id: claude
    uses: claude-code
    continueOnError: true
    with: {prompt: "{{inputs.tok}}"}
  - id: wal
    uses: shell
    with: {run: 'cp "$ADW_TEST_DB-wal" "$ADW_TEST_DB-wal-copy-$ADW_ID"'}
`
// A local executor that puts the secrets in log details, progress, outputs and an error's stack.
const LEAK_JS = `export default {
  name: 'leak',
  schema: {type: 'object', properties: {s: {type: 'string'}, t: {type: 'string'}, mode: {type: 'string'}}},
  async run(o, ctx) {
    ctx.log('INFO', 'state_change', 'details carry them', {nested: {list: [o.s, {deep: 'x' + o.t + 'y'}]}, [o.s]: 1, json: JSON.stringify({s: o.s})})
    ctx.progress('progress ' + o.s + ' ' + o.t)
    await new Promise(r => setTimeout(r, 300))
    if (o.mode === 'outputs') return {outputs: {s: o.s, t: o.t, nested: {json: JSON.stringify({t: o.t})}}}
    throw new Error('boom ' + o.s + ' ' + o.t)
  },
}
`

let fake: FakeAnthropic
let dir: string
let db: string
const out: Record<string, string> = {}

/** The fake API: the tools step reads a file named after a secret, then answers with secrets; the error step gets a 400 quoting the key. */
async function startFake(): Promise<FakeAnthropic> {
  const f = await startFakeAnthropic([])
  f.respond(req => {
    const prompt = JSON.stringify(req.body?.messages?.[0] ?? '')
    if (prompt.includes('route-error')) return reply.error(400, {message: `bad key ${S.apiKey} near ${S.dbPass}`})
    if (req.body.messages.length > 1) return reply.text(`I saw ${S.dbPass} and ${S.input} and ${S.token}`)
    return reply.tool('Read', {file_path: `notes-${S.token}-${S.mysql}.txt`})
  })
  return f
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...SECRET_ENV,
    ANTHROPIC_BASE_URL: fake.url,
    ADW_CLAUDE_BIN: join(ROOT, 'test/fixtures/fake-claude/claude'),
    ADW_TEST_DB: db,
    ...extra,
  }
}
const runArgs = (id: string) => ['run', 'p.yaml', '--db', db, '--adw-id', id, '--input', `tok=${S.input}`, '--input', `note=from ${S.token}`]

test.before(async () => {
  try {
    await setUp()
  } catch (e) {
    console.error("setup failed:", e)
    throw e
  }
})

async function setUp(): Promise<void> {
  fake = await startFake()
  dir = tmpDir({'p.yaml': PIPELINE, 'leak.js': LEAK_JS})
  db = join(dir, 'runs.db')
  const plain = await adw(runArgs('plain'), {cwd: dir, env: env()})
  assert.is(plain.exitCode, 0, plain.stderr + plain.stdout)
  out['plain view (stdout + stderr)'] = plain.stdout + plain.stderr
  const json = await adw([...runArgs('json'), '--json'], {cwd: dir, env: env()})
  assert.is(json.exitCode, 0, json.stderr)
  out['adw run --json events'] = json.stdout + json.stderr
  // The live view in a real pseudo-terminal; the secret input comes through the environment, not the command line.
  // Not spawnSync: the fake API answers from this process's event loop.
  assert.ok(spawnSync('sh', ['-c', 'command -v script']).status === 0, 'script (util-linux) is required for this test')
  const tty = await execa('script', ['-qfc', `stty cols 120 rows 40; env -u CI '${ADW}' run p.yaml --db '${db}' --adw-id tty --input "tok=$TOK_IN"`, '/dev/null'], {
    cwd: dir,
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
    env: {...isolatedEnv(), ...env({TOK_IN: S.input})},
  })
  assert.is(tty.exitCode, 0, `script: ${tty.stderr} ${tty.stdout}`)
  assert.ok(String(tty.stdout).includes('run tty succeeded'), String(tty.stdout))
  out['TTY live view'] = String(tty.stdout)
  for (const [name, args] of Object.entries({
    'adw logs --json': ['logs', '--adw-id', 'plain', '--json', '--db', db],
    'adw logs (table)': ['logs', '--adw-id', 'plain', '--db', db, '--level', 'DEBUG'],
    'adw runs --json': ['runs', '--json', '--db', db],
    'adw runs (table)': ['runs', '--db', db],
  })) {
    const r = await adw(args, {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    out[name] = r.stdout + r.stderr
  }
}

test.after(async () => {
  await fake.close()
  rmDir(dir)
})

test('the database file, its WAL (copied mid-run) and its SHM hold no piece of any secret', () => {
  const files = {'db + wal + shm at the end': dbBytes(db), ...Object.fromEntries(['plain', 'json', 'tty'].map(id => [`WAL of run ${id}, mid-run`, readFileSync(`${db}-wal-copy-${id}`)]))}
  for (const [name, bytes] of Object.entries(files)) {
    assert.ok(bytes.length > 0, `${name} is empty`)
    assert.equal(leaks(bytes), [], name)
  }
})

test('the terminal and every read command show no piece of any secret', () => {
  for (const [name, text] of Object.entries(out)) assert.equal(leaks(text), [], name)
  assert.ok(out['adw logs --json'].includes(MASK))
})

// Each channel, in the database: the masked form is there (the channel did carry a secret) and no piece of one.
const CHANNELS: Record<string, [sql: string, expect: string | RegExp]> = {
  'shell stdout': ["SELECT message FROM agent_logs WHERE step_name = 'shell_out' AND message LIKE 'stdout %'", `stdout ${MASK}`],
  'shell stderr': ["SELECT message FROM agent_logs WHERE step_name = 'shell_out' AND message LIKE 'stderr %'", `stderr ${MASK}`],
  'JSON printed by a step': ["SELECT message FROM agent_logs WHERE step_name = 'shell_out' AND message LIKE '{%'", `{"p":"${MASK}","m":"${MASK}","t":"${MASK}"}`],
  'a multi-line secret, a row per line': ["SELECT group_concat(message, '|') AS m FROM agent_logs WHERE step_name = 'shell_out' AND (message LIKE '%KEY%' OR message LIKE '%' || char(91) || 'REDACTED]') AND message NOT LIKE 'x%' AND message NOT LIKE 's%' AND message NOT LIKE 'i%' AND message NOT LIKE '{%'", `${MASK}|${MASK}|${MASK}|${MASK}`],
  'a 4,000-character line': ["SELECT substr(message, 3980, 60) AS m FROM agent_logs WHERE step_name = 'shell_out' AND length(message) BETWEEN 4000 AND 5000", `xxxxxxxxxxx${MASK}yyyyyyyyyy`],
  'a line cut at 20,000 characters, after masking': ["SELECT substr(message, 19990) AS m FROM agent_logs WHERE adw_id = 'plain' AND step_name = 'shell_out' AND length(message) > 19000", /^x+\[REDA… \[5 more characters\]$/],
  'the secret input in a step': ["SELECT message FROM agent_logs WHERE step_name = 'shell_out' AND message LIKE 'input %'", `input ${MASK}`],
  'step outputs (steps.outputs)': ["SELECT outputs FROM steps WHERE step_id = 'local_outputs'", `{"s":"${MASK}","t":"${MASK}","nested":{"json":"{\\"t\\":\\"${MASK}\\"}"}}`],
  'shell outputs': ["SELECT outputs FROM steps WHERE step_id = 'shell_fail'", `failing with ${MASK}`],
  'step error (steps.error)': ["SELECT error FROM steps WHERE step_id = 'local_fail'", `boom ${MASK} ${MASK}`],
  'error stack (log details)': ["SELECT details FROM agent_logs WHERE step_name = 'local_fail' AND log_type = 'error'", `Error: boom ${MASK} ${MASK}\\n`],
  'log details (nested, keys, JSON text)': ["SELECT details FROM agent_logs WHERE message = 'details carry them' LIMIT 1", `{"nested":{"list":["${MASK}",{"deep":"x${MASK}y"}]},"${MASK}":1,"json":"{\\"s\\":\\"${MASK}\\"}"}`],
  'runs.inputs': ["SELECT inputs FROM runs WHERE adw_id = 'plain'", `{"tok":"${MASK}","note":"from ${MASK}"}`],
  'agent text output': ["SELECT message FROM agent_logs WHERE step_name = 'agent_tools' AND log_type = 'output'", `I saw ${MASK} and ${MASK} and ${MASK}`],
  'agent tool call': ["SELECT message || details AS m FROM agent_logs WHERE step_name = 'agent_tools' AND log_type = 'tool_call'", `notes-${MASK}-${MASK}.txt`],
  'agent API error': ["SELECT error FROM steps WHERE step_id = 'agent_error'", `bad key ${MASK} near ${MASK}`],
  'claude-code output': ["SELECT message FROM agent_logs WHERE step_name = 'claude' AND log_type = 'output' AND message LIKE 'Working on:%'", `Working on: ${MASK}`],
}

for (const [channel, [sql, expect]] of Object.entries(CHANNELS)) {
  test(`channel: ${channel}`, () => {
    const found = rows(db, sql).map(r => String(Object.values(r)[0]))
    assert.ok(found.length > 0, `no row for ${channel}: ${sql}`)
    const text = found.join('\n')
    if (typeof expect === 'string') assert.ok(text.includes(expect), `${channel}: expected ${expect} in ${text.slice(0, 600)}`)
    else assert.match(text, expect)
    assert.equal(leaks(text), [], channel)
  })
}

test('steps still received the real values (masking is for records, not for the run)', () => {
  const toolResult = fake.messageRequests().map(r => lastMessageText(r)).find(t => t.includes('File does not exist'))
  assert.ok(toolResult?.includes(`notes-${S.token}-${S.mysql}.txt`), `the Read tool looked for the file named after the real secrets: ${toolResult}`)
  const asked = fake.messageRequests().find(r => JSON.stringify(r.body?.messages?.[0]).includes('route-tools'))
  assert.ok(JSON.stringify(asked?.body).includes(JSON.stringify(S.input).slice(1, -1)), 'the prompt carried the real secret input')
  assert.is(fake.messageRequests()[0].headers.authorization, `Bearer ${S.apiKey}`)
})

test.run()
