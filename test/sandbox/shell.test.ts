import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {rows} from '../helpers/db.js'
import {MARK, requireBwrap, waitNoProcess} from './sandbox.helpers.js'

// `shell` steps opt in with `sandbox: true`; seen from the command line, as a user runs them.

const pipeline = (steps: string) => `name: sandboxed\nsteps:\n${steps}`

test('a shell step with sandbox: true is confined; one without it is not; sandbox: {network: true} reaches the host', async () => {
  await requireBwrap()
  const outside = mkdtempSync('/var/tmp/adw-sandbox-shell-')
  const server = createServer(sock => sock.end('pong\n'))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  const dir = tmpDir({
    '.env': `PROJECT_SETTING=value-${MARK}\n`,
    'p.yaml': pipeline(`  - id: boxed
    uses: shell
    with:
      sandbox: true
      env: {GREETING: hello}
      run: |
        echo "$GREETING from $ADW_STEP" > inside.txt
        echo "setting=[$PROJECT_SETTING]"
        touch ${outside}/from-boxed || echo "outside refused"
        (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null || echo "no network"
        setsid sleep 1000.${MARK}7 > /dev/null 2>&1 &
  - id: networked
    uses: shell
    with:
      sandbox: {network: true}
      run: exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3
  - id: plain
    uses: shell
    with:
      run: touch ${outside}/from-plain && echo "setting=[$PROJECT_SETTING]"
`),
  })
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'sbx-shell', '--json', '--db', 'adw.db'], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr + r.stdout)
    const out = Object.fromEntries(rows(join(dir, 'adw.db'), 'SELECT step_id, outputs FROM steps').map(s => [s.step_id, JSON.parse(s.outputs).stdout]))
    assert.is(out.boxed, 'setting=[]\noutside refused\nno network', "the project's .env does not reach the sandbox")
    assert.is(readFileSync(join(dir, 'inside.txt'), 'utf8'), 'hello from boxed\n', "the step's own env: and ADW_STEP reach the sandbox; the working dir is writable")
    assert.not.ok(existsSync(join(outside, 'from-boxed')))
    assert.is(out.networked, 'pong')
    assert.ok(existsSync(join(outside, 'from-plain')), 'an unsandboxed step is unchanged')
    assert.is(out.plain, `setting=[value-${MARK}]`)
    assert.equal(await waitNoProcess(`sleep\u00001000.${MARK}7`), [], 'the background sleep ended with its step')
  } finally {
    server.close()
    rmDir(dir)
    rmDir(outside)
  }
})

test('where bwrap cannot run, a sandbox: true step fails saying what to do, warned once; sandbox: off runs it, also warned', async () => {
  const dir = tmpDir({
    'p.yaml': pipeline(`  - id: one
    uses: shell
    with: {sandbox: true, run: echo one}
  - id: two
    uses: shell
    continueOnError: true
    with: {sandbox: true, run: echo two}
`),
  })
  const missing = {ADW_BWRAP: '/nonexistent/bwrap'}
  try {
    const refused = await adw(['run', 'p.yaml', '--adw-id', 'sbx-missing'], {cwd: dir, env: missing})
    assert.is(refused.exitCode, 1, refused.stderr)
    assert.match(refused.stderr, 'Warning: Commands are sandboxed, but /nonexistent/bwrap does not exist or is not executable')
    assert.match(refused.stderr, 'apt-get install bubblewrap')
    assert.match(refused.stderr, 'sandbox: off')
    assert.is(refused.stderr.split('Warning: Commands are sandboxed').length - 1, 1, 'warned once')

    // A cloned repository's .env cannot turn the sandbox off.
    const viaDotEnv = tmpDir({'.env': 'ADW_SANDBOX=off\n', 'p.yaml': pipeline('  - id: one\n    uses: shell\n    with: {sandbox: true, run: echo one}\n')})
    try {
      const r = await adw(['run', 'p.yaml', '--adw-id', 'sbx-dotenv'], {cwd: viaDotEnv, env: missing})
      assert.is(r.exitCode, 1, r.stderr)
      assert.match(r.stderr, 'Commands are sandboxed')
    } finally {
      rmDir(viaDotEnv)
    }

    // ADW_SANDBOX=on in the environment wins over a repository's `sandbox: off`.
    const overridden = tmpDir({'adw.config.yaml': 'sandbox: off\n', 'p.yaml': pipeline('  - id: one\n    uses: shell\n    with: {sandbox: true, run: echo one}\n')})
    try {
      const r = await adw(['run', 'p.yaml', '--adw-id', 'sbx-forced', '--db', 'adw.db'], {cwd: overridden, env: {...missing, ADW_SANDBOX: 'on'}})
      assert.is(r.exitCode, 1, r.stderr)
      assert.match(r.stderr, 'Commands are sandboxed')
    } finally {
      rmDir(overridden)
    }

    for (const [how, env, files] of [
      ['ADW_SANDBOX=off', {...missing, ADW_SANDBOX: 'off'}, {}],
      ['adw.config.yaml sandbox: off', missing, {'adw.config.yaml': 'sandbox: off\n'}],
    ] as const) {
      const d = tmpDir({...files, 'p.yaml': pipeline('  - id: one\n    uses: shell\n    with: {sandbox: true, run: echo ran}\n  - id: two\n    uses: shell\n    with: {sandbox: true, run: echo ran}\n')})
      try {
        const r = await adw(['run', 'p.yaml', '--adw-id', 'sbx-off', '--db', 'adw.db'], {cwd: d, env})
        assert.is(r.exitCode, 0, `${how}: ${r.stderr}`)
        assert.is(r.stderr.split('Warning: The sandbox is off').length - 1, 1, `${how}: warned once: ${r.stderr}`)
        const warnings = rows(join(d, 'adw.db'), "SELECT message FROM agent_logs WHERE log_level = 'WARNING'")
        assert.is(warnings.length, 1, `${how}: one WARNING row`)
      } finally {
        rmDir(d)
      }
    }
  } finally {
    rmDir(dir)
  }
})

test('a bad sandbox setting is refused with exit 2 and where it is', async () => {
  const dir = tmpDir({'adw.config.yaml': 'project:\n  name: x\nsandbox: maybe\n', 'p.yaml': pipeline('  - id: one\n    uses: shell\n    with: {run: echo one}\n')})
  try {
    const r = await adw(['run', 'p.yaml'], {cwd: dir})
    assert.is(r.exitCode, 2, r.stderr)
    assert.match(r.stderr, 'adw.config.yaml:3:10: sandbox must be "on" or "off"')
    rmDir(join(dir, 'adw.config.yaml'))
    const env = await adw(['run', 'p.yaml'], {cwd: dir, env: {ADW_SANDBOX: 'nope'}})
    assert.is(env.exitCode, 2, env.stderr)
    assert.match(env.stderr, 'ADW_SANDBOX must be "on" or "off"; got "nope"')
    assert.not.match(env.stderr + r.stderr, /at .*\.js:\d+/)
  } finally {
    rmDir(dir)
  }
})

test.run()
