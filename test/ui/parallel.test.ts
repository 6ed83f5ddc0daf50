// The live TTY view of parallel branches, in a real pseudo-terminal (tmux) with the real CLI: while
// two branches run, both tasks are on screen running at once and the step that needs them waits.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {until} from '../helpers/deadline.js'
import {ADW, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

const BRANCH = (id: string) => `  - id: ${id}
    needs: []
    uses: shell
    with:
      run: echo ${id} >> started; while [ ! -e go ]; do sleep 0.05; done
`

test('tmux: two branches run side by side on screen, the step that needs both says it waits; all finish', async () => {
  assert.ok(has('tmux'), 'tmux is required for this test (.ci/run installs it: apt-get install tmux)')
  const dir = tmpDir({'p.yaml': `name: par\nsteps:\n${BRANCH('left')}${BRANCH('right')}  - id: join\n    needs: [left, right]\n    uses: shell\n    with: {run: echo joined}\n`})
  const sock = `adw-par-test-${process.pid}`
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], {cwd: dir, encoding: 'utf8'})
  const env = Object.entries({...isolatedEnv(), CI: undefined}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}='${v}'`).join(' ')
  try {
    tmux('new-session', '-d', '-x', '100', '-y', '30', '-c', dir, `stty cols 100 rows 30; env -u CI ${env} '${ADW}' run p.yaml --db '${join(dir, 'adw.db')}'; echo __EXIT_$?__; sleep 60`)
    await until(() => existsSync(join(dir, 'started')) && readFileSync(join(dir, 'started'), 'utf8').split('\n').filter(Boolean).length === 2, 'both branches to start')
    let screen = ''
    await until(() => {
      screen = tmux('capture-pane', '-p')
      return /join · waiting/.test(screen) && /\bleft\b/.test(screen) && /\bright\b/.test(screen)
    }, 'both branches and the waiting join on screen')
    const rows = screen.split('\n')
    const row = (id: string) => rows.find(r => new RegExp(`\\b${id}\\b`).test(r) && !r.includes('adw id'))!
    assert.not.match(row('left'), '✔', screen)
    assert.not.match(row('right'), '✔', screen)
    writeFileSync(join(dir, 'go'), '')
    await until(() => (screen = tmux('capture-pane', '-p')).includes('__EXIT_'), 'the run to finish', 60_000)
    assert.match(screen, '__EXIT_0__')
    for (const id of ['left', 'right', 'join']) assert.match(screen, new RegExp(`✔ ${id}\\b`), screen)
  } finally {
    try {
      tmux('kill-server')
    } catch {}
    rmDir(dir)
  }
})

test.run()
