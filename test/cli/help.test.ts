// README: "Every command has --help with examples." Every command in the built manifest, aliases too.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, ROOT} from '../helpers/cli.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
const commands = Object.values(manifest.commands as Record<string, {id: string; aliases: string[]; hidden?: boolean}>).filter(c => !c.hidden)

test('README documents every command the CLI has', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  assert.ok(commands.length >= 14, `${commands.length} commands in the manifest`)
  for (const {id} of commands) assert.ok(readme.includes(`adw ${id.split(':').join(' ')}`), `README never shows adw ${id.split(':').join(' ')}`)
})

for (const {id, aliases} of commands) {
  test(`adw ${id.replace(/:/g, ' ')} --help: usage, flags and examples, exit 0${aliases.length ? `; so do its aliases (${aliases.join(', ')})` : ''}`, async () => {
    for (const name of [id, ...aliases]) {
      const words = name.split(':')
      const r = await adw([...words, '--help'])
      assert.is(r.exitCode, 0, r.stderr)
      assert.is(r.stderr, '')
      assert.match(r.stdout, `USAGE\n  $ adw ${words.join(' ')}`)
      const examples = r.stdout.slice(r.stdout.indexOf('\nEXAMPLES\n'))
      assert.ok(r.stdout.includes('\nEXAMPLES\n'), `no EXAMPLES in adw ${words.join(' ')} --help:\n${r.stdout}`)
      assert.ok([id, name].some(n => examples.includes(`$ adw ${n.split(':').join(' ')}`)), examples)
      assert.not.match(examples, 'myplugin', 'examples name a real plugin')
    }
  })
}

test('adw --help lists the commands; an unknown command is exit 2 with a suggestion', async () => {
  const r = await adw(['--help'])
  assert.is(r.exitCode, 0, r.stderr)
  for (const id of ['executors', 'logs', 'plugins', 'run', 'runs', 'scaffold', 'schema', 'validate']) assert.match(r.stdout, new RegExp(`\\n  ${id}\\s`))
  const bad = await adw(['rnu'])
  assert.is(bad.exitCode, 2, bad.stderr)
  assert.match(bad.stderr, 'rnu')
})

test.run()
