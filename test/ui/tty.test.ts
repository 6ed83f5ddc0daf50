// The real TTY renderer, in a real pseudo-terminal: tmux for the final screen, `script` for the raw stream.
import {execFileSync, spawnSync} from 'node:child_process'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {until} from '../helpers/deadline.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const NODE = join(ROOT, 'node_modules/.bin/node')
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
// CI would select the plain renderer; a 0-column pty wraps one character per line (STACK-NOTES §3)
const demo = (args: string) => `stty cols 100 rows 40; env -u CI '${NODE}' --import tsx test/ui/demo.ts fast ${args}`

test('tmux: the final screen shows every finished title, the attempts and the summary', async () => {
  assert.ok(has('tmux'), 'tmux is required for this test (.ci/run installs it: apt-get install tmux)')
  const sock = `adw-ui-test-${process.pid}`
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', sock, ...args], {cwd: ROOT, encoding: 'utf8'})
  try {
    tmux('new-session', '-d', '-x', '100', '-y', '40', '-c', ROOT, `${demo('')}; echo __EXIT_$?__; sleep 60`)
    let screen = ''
    await until(() => (screen = tmux('capture-pane', '-p')).includes('__EXIT_'), 'the demo in tmux to finish (__EXIT_ on screen)', 60_000)
    const rows = screen.split('\n').map(l => l.trimEnd())
    const expected = [
      '✔ plan (12.4s · 18.2k tok · $0.041)',
      '✔ build (31.0s · 19.0k tok · $0.058)',
      '✔ review (5.2s · 2.4k tok · $0.012)',
      '✔ fix_loop (2 attempts · 22.0s · 4.4k tok · $0.018)',
      '  ✔ fix_loop · attempt 1/3 (11.0s · 2.2k tok · $0.009)',
      '    ✔ fix (8.0s · 2.2k tok · $0.009)',
      '    ✔ rereview (3.0s)',
      '  ✔ fix_loop · attempt 2/3 (11.0s · 2.2k tok · $0.009)',
      '    ✔ fix (8.0s · 2.2k tok · $0.009)',
      '    ✔ rereview (3.0s)',
      '',
      '✔ run demo-1 succeeded in 1m 11s · 7 steps · 44.0k tokens · $0.13',
      'logs: adw logs --adw-id demo-1',
      '__EXIT_0__',
    ]
    const at = rows.indexOf(expected[0])
    assert.ok(at >= 0, screen)
    assert.equal(rows.slice(at, at + expected.length), expected)
    assert.not.ok(screen.includes('attempt 3/3'))
  } finally {
    try {
      tmux('kill-server')
    } catch {}
  }
})

test('script: a failed step in the TTY view shows its title, its error and the summary', () => {
  assert.ok(has('script'), 'script (util-linux) is required for this test')
  const r = spawnSync('script', ['-qfc', demo('fail'), '/dev/null'], {cwd: ROOT, encoding: 'utf8', timeout: 30_000})
  assert.is(r.status, 0, r.stderr)
  // eslint-disable-next-line no-control-regex
  const text = r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
  assert.ok(text.includes('✔ plan (12.4s · 18.2k tok · $0.041)'), text)
  assert.ok(text.includes('✖ build (4.1s)'), text)
  assert.ok(text.includes('› command exited with code 2: npm run build'), text)
  assert.ok(text.includes('↓ review [SKIPPED: not run]'), text)
  assert.ok(text.includes('✖ run demo-1 failed after 16.8s · 2 steps · 18.2k tokens · $0.041: step build failed'), text)
})

test.run()
