// The real TTY renderer, in a real pseudo-terminal (tmux), judged by the final screen: the raw
// stream holds intermediate frames whose timing varies on a loaded machine.
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

/** The demo's final screen in a 100×40 tmux pane, as lines without trailing blanks. */
async function finalScreen(args: string): Promise<string[]> {
  assert.ok(has('tmux'), 'tmux is required for this test (.ci/run installs it: apt-get install tmux)')
  const sock = `adw-ui-test-${process.pid}`
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], {cwd: ROOT, encoding: 'utf8'})
  try {
    tmux('new-session', '-d', '-x', '100', '-y', '40', '-c', ROOT, `${demo(args)}; echo __EXIT_$?__; sleep 60`)
    let screen = ''
    await until(() => (screen = tmux('capture-pane', '-p')).includes('__EXIT_'), `the demo (${args || 'success'}) in tmux to finish (__EXIT_ on screen)`, 60_000)
    return screen.split('\n').map(l => l.trimEnd())
  } finally {
    try {
      tmux('kill-server')
    } catch {}
  }
}

test('tmux: the final screen shows every finished title, the attempts and the summary', async () => {
  const rows = await finalScreen('')
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
    '  fix_loop: 2 attempts, until held',
    'logs: adw logs demo-1',
    '__EXIT_0__',
  ]
  const at = rows.indexOf(expected[0])
  assert.ok(at >= 0, rows.join('\n'))
  assert.equal(rows.slice(at, at + expected.length), expected)
  assert.not.ok(rows.some(r => r.includes('attempt 3/3')))
})

test('tmux: a failed step shows as failed, the steps after it as not run, and the summary with the error', async () => {
  const rows = await finalScreen('fail')
  const screen = rows.join('\n')
  const at = rows.indexOf('✔ plan (12.4s · 18.2k tok · $0.041)')
  assert.ok(at >= 0, screen)
  assert.equal(rows.slice(at, at + 2), ['✔ plan (12.4s · 18.2k tok · $0.041)', '✖ build (4.1s)'])
  // The error line under the failed task is not always in listr2's last frame on a loaded machine;
  // the summary below always carries the error.
  assert.ok(rows.includes('↓ review [SKIPPED: not run]'), screen)
  assert.ok(rows.some(r => r.startsWith('✖ run demo-1 failed after 16.8s · 2 steps · 18.2k tokens · $0.041: step build failed: command exited')), screen)
  assert.ok(rows.includes('__EXIT_0__'), screen)
})

test.run()
