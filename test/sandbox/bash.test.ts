import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {createServer} from 'node:net'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {bashCalls, MARK, requireBwrap, TEST_KEY, waitNoProcess} from './sandbox.helpers.js'

// The agent's Bash tool as an attacker (or a confused model) would use it, through the agent
// executor, the real SDK against the fake Messages API, and real bubblewrap.

test('bwrap can sandbox commands on this machine (these tests need it: apt-get install bubblewrap)', async () => {
  await requireBwrap()
})

test('Bash writes only inside the working dir: every way out fails or lands in a private copy', async () => {
  await requireBwrap()
  const dir = tmpDir({'keep.txt': 'kept', '.adw/orchestrator.db': 'the record of the run'})
  execFileSync('git', ['init', '-q', dir])
  // Outside the working dir, on the host's root filesystem (not /tmp, which the sandbox replaces).
  const outside = mkdtempSync('/var/tmp/adw-sandbox-outside-')
  const hostPaths = [
    join(outside, 'escaped.txt'),
    `/etc/adw-escape-${MARK}`,
    join(homedir(), `adw-escape-${MARK}`),
    `/tmp/adw-escape-${MARK}`,
    join(dir, '..', `adw-escape-parent-${MARK}`),
    `/etc/adw-escape-remount-${MARK}`,
    `/etc/adw-escape-link-${MARK}`,
  ]
  try {
    const {results} = await bashCalls(dir, [
      `echo x > ${outside}/escaped.txt`,
      `touch /etc/adw-escape-${MARK}`,
      `echo x > ~/adw-escape-${MARK} && echo "home copy written"`,
      `echo x > /tmp/adw-escape-${MARK} && echo "tmp copy written"`,
      `cd .. && touch adw-escape-parent-${MARK}`,
      `mount -o remount,rw / ; touch /etc/adw-escape-remount-${MARK}`,
      `ln -s / rootlink && echo x > rootlink/etc/adw-escape-link-${MARK}`,
      'echo evil > .git/hooks/pre-commit',
      'echo forged > .adw/orchestrator.db',
      'echo ok > inside.txt && mkdir -p sub/deep && echo y > sub/deep/f && cat keep.txt',
    ])
    assert.equal(results.map(r => Boolean(r.is_error)), [true, true, false, false, false, true, true, true, true, false], JSON.stringify(results, null, 1))
    assert.match(results[0].content, /Read-only file system|No such file/)
    assert.match(results[1].content, 'Read-only file system')
    assert.match(results[2].content, 'home copy written')
    assert.match(results[3].content, 'tmp copy written')
    assert.match(results[7].content, 'Read-only file system')
    const written = hostPaths.filter(p => existsSync(p))
    assert.equal(written, [], 'no write outside the working dir reaches the host')
    assert.not.ok(existsSync(join(dir, '.git/hooks/pre-commit')), 'git hooks stay read-only (they would run outside the sandbox)')
    assert.is(readFileSync(join(dir, '.adw/orchestrator.db'), 'utf8'), 'the record of the run', "adw's database stays read-only")
    // The working dir itself is the real one, writable.
    assert.is(readFileSync(join(dir, 'inside.txt'), 'utf8'), 'ok\n')
    assert.is(readFileSync(join(dir, 'sub/deep/f'), 'utf8'), 'y\n')
    assert.match(results[9].content, /kept\nExit code 0\.$/)
  } finally {
    rmDir(dir)
    rmDir(outside)
  }
})

test("Bash cannot read adw's environment, other processes or the project's secrets", async () => {
  await requireBwrap()
  const dir = tmpDir({'.env': `ANTHROPIC_API_KEY=${TEST_KEY}\nDB_PASSWORD=pw-${MARK}\n`})
  try {
    const {results, all, requests} = await bashCalls(dir, [
      'cat /proc/$PPID/environ | tr "\\0" "\\n"',
      'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < $f; done; ls -d /proc/[0-9]* | wc -l',
      `ls /proc/${process.pid}/environ`,
      'env',
      'cat .env',
      'grep -r ANTHROPIC /proc/*/environ 2>/dev/null; echo searched',
    ], {env: {MY_SERVICE_TOKEN: `tok-${MARK}`, DB_PASSWORD: `pw-${MARK}`, LANG: 'C.UTF-8'}})
    const text = JSON.stringify(results)
    assert.not.match(text, TEST_KEY, 'the API key is in no tool result')
    assert.not.match(text, `pw-${MARK}`)
    assert.not.match(text, `tok-${MARK}`)
    assert.not.match(requests, TEST_KEY, 'nor anywhere in what was sent to the model')
    assert.not.match(all(), TEST_KEY)
    // Its own PID namespace: a handful of processes (bwrap's init, bash, the loop), not the host's.
    const count = Number(/^(\d+)$/m.exec(results[1].content)?.[1])
    assert.ok(count > 0 && count <= 5, `processes visible in the sandbox: ${count}`)
    assert.is(results[2].is_error, true, 'adw\'s pid does not exist in the sandbox')
    // A minimal environment: the allow-list only, HOME and TMPDIR private.
    const names = results[3].content.split('\n').map(l => l.split('=')[0]).filter(n => /^[A-Z_]+$/.test(n) && n !== '_')
    for (const n of names) assert.ok(['PATH', 'HOME', 'TMPDIR', 'LANG', 'PWD', 'SHLVL', 'OLDPWD', 'TERM', 'USER', 'LOGNAME', 'SHELL', 'CI', 'TZ', 'LANGUAGE', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR'].includes(n) || n.startsWith('LC_'), `unexpected variable ${n}`)
    assert.match(results[3].content, 'LANG=C.UTF-8')
    assert.is(results[4].is_error, true, 'the working dir\'s .env is masked')
  } finally {
    rmDir(dir)
  }
})

test('every process a Bash call started is gone when the call ends, setsid and nohup included', async () => {
  await requireBwrap()
  const dir = tmpDir()
  const marks = [`1000.${MARK}1`, `1000.${MARK}2`, `1000.${MARK}3`]
  try {
    const {results} = await bashCalls(dir, [
      `setsid sleep ${marks[0]} > /dev/null 2>&1 & echo started`,
      `nohup sleep ${marks[1]} > /dev/null 2>&1 & disown; (setsid bash -c "sleep ${marks[2]}" > /dev/null 2>&1 &); echo started`,
    ])
    assert.equal(results.map(r => r.content), ['started\nExit code 0.', 'started\nExit code 0.'])
    for (const m of marks) assert.equal(await waitNoProcess(`sleep\0${m}`), [], `sleep ${m} outlived its call`)
  } finally {
    rmDir(dir)
  }
})

test('no network unless the step allows it (network: true shares the host network, every host)', async () => {
  await requireBwrap()
  const dir = tmpDir()
  const server = createServer(sock => sock.end('hello from the host\n'))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  const connect = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`
  try {
    const off = await bashCalls(dir, [connect])
    assert.is(off.results[0].is_error, true)
    assert.not.match(off.results[0].content, 'hello from the host')
    const on = await bashCalls(dir, [connect], {network: true})
    assert.is(on.results[0].is_error, undefined, on.results[0].content)
    assert.match(on.results[0].content, 'hello from the host')
  } finally {
    server.close()
    rmDir(dir)
  }
})

test.run()
