// Where a {{tag}} may sit in a shell step's `run`, command by command: every wrapper that runs its
// argument as a command, every shell's -c, the builtins that take a variable name, and the options of
// read / mapfile whose value is data. The corpus (security/corpus.ts) has one of each kind; this is
// every member, and the whole message a user reads for each kind of refusal.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {stringify} from 'yaml'
import {ValidationError} from '../../src/errors.js'
import {loadPipelineSource} from '../../src/pipeline/load.js'
import {createRegistry} from '../../src/plugins/registry.js'

const registry = createRegistry()
const TAG = '{{inputs.v}}'

/** The load-time message for `{{inputs.v}}` at `@@` in a one-step pipeline ('' when it loads). */
async function verdict(script: string): Promise<string> {
  const yaml = stringify({name: 'x', inputs: {v: {type: 'string', default: ''}}, steps: [{id: 's', uses: 'shell', with: {run: script.replaceAll('@@', TAG)}}]})
  try {
    await loadPipelineSource(yaml, 'p.yaml', {registry})
    return ''
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    return error.diagnostics.map(d => d.message).join('\n')
  }
}

const sits = (where: string) => `${TAG} in run of step "s" sits ${where}`

test('every wrapper that runs its first non-option argument as a command refuses the tag there', async () => {
  for (const [script, name] of [
    ['command @@', 'command'], ['builtin @@', 'builtin'], ['nohup @@', 'nohup'], ['sudo @@', 'sudo'], ['doas @@', 'doas'],
    ['env @@', 'env'], ['env A=1 @@', 'env'], ['/usr/bin/env @@', 'env'], ['nice -n5 @@', 'nice'], ['time @@', 'time'], ['coproc @@', 'coproc'],
    ['setsid @@', 'setsid'], ['stdbuf -oL @@', 'stdbuf'], ['chroot @@', 'chroot'], ['exec @@', 'exec'], ['echo a | xargs -0 @@', 'xargs'],
  ]) {
    assert.is(await verdict(script), sits(`as the command that ${name} runs, so the value would choose the program to run. Name the command in the script and pass the value as an argument`), script)
  }
  for (const script of ['env A=@@ ls', 'nohup ls @@', 'command -v ls @@', 'echo env @@']) assert.is(await verdict(script), '', `${script} loads`)
})

test("every shell's -c script refuses the tag; a script file's arguments take it", async () => {
  for (const shell of ['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']) {
    assert.is(await verdict(`${shell} -c @@`), sits(`as the script of ${shell} -c, which runs it as code. Pass it as data instead, e.g. bash -c 'echo "$1"' _ ${TAG}`), shell)
  }
  for (const script of ['bash -xc @@', 'bash -c -x @@', '/bin/sh -ec @@']) assert.match(await verdict(script), 'as the script of', script)
  for (const script of ['bash script.sh @@', `bash -c 'echo "$1"' _ @@`, 'bash -x script.sh @@']) assert.is(await verdict(script), '', `${script} loads`)
})

test('commands that run an argument as code refuse the tag in any argument', async () => {
  for (const name of ['eval', 'source', '.', 'trap', 'alias']) {
    assert.is(await verdict(`${name} x=@@`), sits(`in an argument of ${name}, which runs it as code. Pass it as data instead, e.g. bash -c 'echo "$1"' _ ${TAG}`), name)
  }
})

test('variable names: unset, getopts, read, mapfile, readarray, printf -v, test -v, export', async () => {
  const name = 'where bash evaluates a[...] subscripts as code. Use a fixed variable name and the value as its content: v={{inputs.v}}'
  assert.is(await verdict('unset @@'), sits(`in an argument of unset, ${name}`))
  assert.is(await verdict('getopts ab @@'), sits(`in an argument of getopts, ${name}`))
  assert.is(await verdict('read -r @@'), sits(`as a variable name of read, ${name}`))
  assert.is(await verdict('mapfile @@'), sits(`as a variable name of mapfile, ${name}`))
  assert.is(await verdict('readarray -t @@'), sits(`as a variable name of readarray, ${name}`))
  assert.is(await verdict('printf -v @@ %s x'), sits(`as the variable name after printf -v, ${name}`))
  assert.is(await verdict('test -v @@'), sits(`as the variable name after test -v, ${name}`))
  assert.is(await verdict('export @@'), sits(`as a variable name of export, ${name}`))
})

test('the options of read and mapfile whose value is data take the tag', async () => {
  for (const o of ['-p', '-d', '-t', '-n', '-N', '-u', '-i']) assert.is(await verdict(`read ${o} @@ x`), '', `read ${o}`)
  for (const o of ['-d', '-n', '-O', '-s', '-u', '-C', '-c']) {
    assert.is(await verdict(`mapfile ${o} @@ arr`), '', `mapfile ${o}`)
    assert.is(await verdict(`readarray ${o} @@ arr`), '', `readarray ${o}`)
  }
  assert.match(await verdict('read -r -s @@'), 'as a variable name of read', 'read -s takes no value: the next word is a name')
  assert.match(await verdict('mapfile -t @@'), 'as a variable name of mapfile', 'mapfile -t takes no value')
})

test('arithmetic: let, integer variables, [[ -lt ]], $((...)), with the whole advice; [ -lt ] compares text', async () => {
  const arithmetic = 'where bash evaluates the text as code (a[$(cmd)] runs cmd). Check that it is a number first: n={{inputs.v}}; [[ $n =~ ^-?[0-9]+$ ]] || exit 2; echo $((n + 1))'
  assert.is(await verdict('let n=@@'), sits(`in an argument of let, ${arithmetic}`))
  assert.is(await verdict('local -i n=@@'), sits(`in the value of an integer variable (local -i), ${arithmetic}`))
  assert.is(await verdict('[[ @@ -lt 3 ]]'), sits(`in an arithmetic comparison (-lt) inside [[ ]], ${arithmetic}`))
  assert.is(await verdict('x=$(( @@ ))'), sits(`inside an arithmetic expansion $((...)), ${arithmetic}`))
  for (const script of ['[ @@ -lt 3 ]', 'typeset x=@@', 'declare -r x=@@', 'echo "${v:-@@}"', 'x=(@@)', 'echo `echo @@`', 'echo $((1)) @@']) assert.is(await verdict(script), '', `${script} loads`)
})

test('a bash syntax error is reported where it is, with the fix', async () => {
  assert.is(await verdict('echo ${#@@}'), 'Bash syntax error in run of step "s" near here: fix the script (adw parses it to place each {{value}} safely)')
  const yaml = stringify({name: 'x', inputs: {v: {type: 'string', default: ''}}, steps: [{id: 's', uses: 'shell', with: {run: `echo ${TAG}\necho ok\necho )`}}]})
  const error = await loadPipelineSource(yaml, 'p.yaml', {registry}).catch(e => e as ValidationError)
  assert.instance(error, ValidationError)
  const [d] = (error as ValidationError).diagnostics
  assert.match(d.message, 'Bash syntax error in run of step "s" near here')
  const lines = yaml.split('\n')
  const at = lines.findIndex(l => l.includes('echo )'))
  assert.is(`${d.line}:${d.col}`, `${at + 1}:${lines[at].indexOf(')') + 1}`, 'at the stray ), not at the tag')
})

test('a NUL character in a shell template is refused at load', async () => {
  assert.match(await verdict('echo @@ \0'), /^run of step "s" holds a NUL character, which bash cannot run: remove it$/m)
})

test.run()
