// README "Configuration": the values of secret-looking variables (*KEY*, *TOKEN*, *SECRET*,
// *PASSWORD*) are masked as [REDACTED] wherever a step prints them: on the terminal, in log rows, in errors
// and in the database file. Other variables print as they are.
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {dbBytes, rows} from '../helpers/db.js'

const SECRETS = {
  GITHUB_TOKEN: 'ghp-token-value-0123456789',
  MY_APP_SECRET: 'app-secret-value-abcdef',
  DB_PASSWORD: 'db-password-value-xyz789',
  OPENAI_API_KEY: 'sk-openai-key-value-4242',
}
const PLAIN = {GREETING: 'hello-not-a-secret-1234'}

const YAML = `name: leaky
steps:
  - id: say
    uses: shell
    with:
      run: |
        echo "token=$GITHUB_TOKEN"
        echo "secret=$MY_APP_SECRET" >&2
        echo "password=$DB_PASSWORD"
        echo "key=$OPENAI_API_KEY"
        echo "greeting=$GREETING"
  - id: fail
    uses: shell
    with:
      run: echo "cannot log in with $DB_PASSWORD and $GITHUB_TOKEN" >&2; exit 3
`

for (const mode of [[], ['--json']]) {
  test(`TOKEN, SECRET, PASSWORD and KEY values never reach the terminal${mode.length ? ' (--json)' : ''}, the log rows, the errors or the database file`, async () => {
    const dir = tmpDir({'p.yaml': YAML})
    const db = join(dir, 'x.db')
    try {
      const r = await adw(['run', 'p.yaml', '--db', db, '--adw-id', 'leak', ...mode], {cwd: dir, env: {...SECRETS, ...PLAIN}})
      assert.is(r.exitCode, 1, r.stderr + r.stdout)
      const terminal = r.stdout + r.stderr
      const bytes = dbBytes(db).toString('latin1')
      for (const [name, value] of Object.entries(SECRETS)) {
        assert.not.ok(terminal.includes(value), `${name} on the terminal`)
        assert.not.ok(bytes.includes(value), `${name} in the database file`)
      }
      const output = rows(db, "SELECT message FROM agent_logs WHERE step_name = 'say' AND log_type = 'output' ORDER BY id").map(x => x.message)
      for (const line of ['token=[REDACTED]', 'secret=[REDACTED]', 'password=[REDACTED]', 'key=[REDACTED]', `greeting=${PLAIN.GREETING}`]) {
        assert.ok(output.some(m => m.endsWith(line)), `"${line}" in ${JSON.stringify(output)}`)
      }
      const [run] = rows(db, 'SELECT error FROM runs')
      assert.match(run.error, 'cannot log in with [REDACTED] and [REDACTED]')
      assert.match(terminal, 'cannot log in with [REDACTED] and [REDACTED]')
    } finally {
      rmDir(dir)
    }
  })
}

test.run()
