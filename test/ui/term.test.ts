// In a real terminal, TERM=dumb gets the plain line renderer (no cursor movement, no colours),
// as CI and pipes do; any other TERM gets the live view. `script` provides the pseudo-terminal.
import {execa} from 'execa'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {waitingFor} from '../helpers/deadline.js'

const YAML = 'name: t\nsteps:\n  - id: first\n    uses: shell\n    with: {run: "echo hi"}\n  - id: second\n    uses: noop\n'

/** `adw run` in a pty with this TERM (CI and NO_COLOR unset); its raw output. */
async function inTerminal(term: string): Promise<string> {
  assert.ok(spawnSync('sh', ['-c', 'command -v script']).status === 0, 'script (util-linux) is required for this test (apt-get install bsdutils)')
  const dir = tmpDir({'p.yaml': YAML})
  try {
    const {CI: _ci, NO_COLOR: _nc, ...env} = {...process.env, ...isolatedEnv(), TERM: term}
    const cmd = `stty cols 100 rows 40; '${ADW}' run p.yaml --db '${join(dir, 'x.db')}' --adw-id t1`
    const r = await waitingFor(`adw run in a pty with TERM=${term}`, execa('script', ['-qfec', cmd, '/dev/null'], {cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000}))
    assert.is(r.exitCode, 0, String(r.stderr) + String(r.stdout))
    return String(r.stdout).replace(/\r/g, '')
  } finally {
    rmDir(dir)
  }
}

test('TERM=dumb in a terminal: plain lines, no escape sequences', async () => {
  const out = await inTerminal('dumb')
  assert.not.ok(out.includes('\u001b'), JSON.stringify(out))
  const lines = out.split('\n')
  assert.equal(lines.filter(l => /^[❯✔] (first|second)/.test(l)).map(l => l.replace(/ \(.*\)$/, '')), ['❯ first', '✔ first — hi', '❯ second', '✔ second'])
  assert.ok(lines.some(l => l.startsWith('✔ run t1 succeeded')), out)
})

test('another TERM in the same terminal: the live view (cursor control and colours)', async () => {
  const out = await inTerminal('xterm-256color')
  assert.ok(out.includes('\u001b['), JSON.stringify(out))
  assert.not.ok(out.includes('❯ first\n'), 'not the plain renderer')
  assert.match(out, '✔ run t1 succeeded')
})

test.run()
