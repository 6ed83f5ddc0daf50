// The redaction corpus: every secret in every form a step can print it, at cuts, across lines.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createRedactor, envRedactor, MASK} from '../../src/secrets/redactor.js'
import {isSecretName, MIN_SECRET_LENGTH} from '../../src/secrets/names.js'
import {leaks, S, SECRET_ENV} from './secrets.helpers.js'

const redact = envRedactor(SECRET_ENV, [S.input])
const singles = Object.entries(S).filter(([k]) => k !== 'pem')

const b64 = (s: string) => Buffer.from(s).toString('base64')
const shellSingle = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
const shellDouble = (s: string) => `"${s.replace(/["\\$`]/g, '\\$&')}"`
const html = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
const asciiJson = (s: string) => JSON.stringify(s).replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

const ENCODINGS: Record<string, (s: string) => string> = {
  literal: s => `value: ${s}.`,
  'JSON string': s => JSON.stringify({value: s}),
  'JSON, ASCII only (Python json.dumps)': s => `{"value": ${asciiJson(s)}}`,
  'JSON inside a JSON string': s => JSON.stringify({event: JSON.stringify({value: s})}),
  'URL-encoded': s => `https://example.test/cb?token=${encodeURIComponent(s)}&x=1`,
  'form-encoded with upper-case hex': s => `token=${encodeURIComponent(s).replace(/%[0-9a-f]{2}/gi, m => m.toUpperCase())}`,
  'base64 (Basic auth, offset 0)': s => `Authorization: Basic ${b64(s)}`,
  'base64 (Basic auth, offset 1)': s => `Authorization: Basic ${b64(`a:${s}`)}`,
  'base64 (Basic auth, offset 2)': s => `Authorization: Basic ${b64(`ab:${s}`)}`,
  'base64url': s => b64(`user:${s}`).replaceAll('+', '-').replaceAll('/', '_'),
  'shell single-quoted (set -x)': s => `+ curl -H ${shellSingle(`Authorization: ${s}`)}`,
  'shell double-quoted': s => `export T=${shellDouble(s)}`,
  'HTML entities': s => `<input value="${html(s)}">`,
  'a line of 4,000 characters around it': s => `${'x'.repeat(3990)}${s}${'y'.repeat(100)}`,
}

for (const [how, encode] of Object.entries(ENCODINGS)) {
  test(`each secret, ${how}, is masked`, () => {
    for (const [name, secret] of singles) {
      const out = redact.text(encode(secret))
      assert.equal(leaks(out, [secret]), [], `${name} leaked from: ${out.slice(0, 300)}`)
      assert.ok(out.includes(MASK), `${name}: no mask in ${out.slice(0, 300)}`)
    }
  })
}

test('a value is masked before it is JSON-encoded: quotes and backslashes cannot hide a secret', () => {
  const details = {stdout: `x ${S.dbPass} y`, nested: [{deep: S.input}], [S.token]: 'as a key', n: 1, ok: true}
  const clean = redact.value(details)
  const json = JSON.stringify(clean)
  assert.equal(leaks(json), [])
  assert.equal(clean.n, 1)
  assert.ok(json.includes(`"x ${MASK} y"`), json)
  const same = {message: 'nothing secret here', list: [1, 2]}
  assert.is(redact.value(same), same, 'an object without secrets is passed through, not copied')
})

test('a secret cut anywhere by a truncation leaves no piece of 4 characters or more', () => {
  const cuts: Record<string, (t: string, at: number) => string> = {
    'clip with … [N more characters]': (t, at) => `${t.slice(0, at)}… [${t.length - at} more characters]`,
    'head ... omitted ... tail': (t, at) => `${t.slice(0, at)}\n\n... [${t.length - at - 20} characters omitted] ...\n\n${t.slice(t.length - 20)}`,
    'plain slice': (t, at) => t.slice(0, at),
    'kept tail of a long output': (t, at) => t.slice(at),
  }
  for (const [name, secret] of singles) {
    for (const [how, cut] of Object.entries(cuts)) {
      const line = `${'x'.repeat(100)}${secret}${'y'.repeat(20)}`
      for (let at = 101; at < 100 + secret.length; at++) {
        const out = redact.text(cut(line, at))
        for (let k = 4; k < secret.length; k++) {
          for (const piece of [secret.slice(0, k), secret.slice(-k)]) {
            if (piece.length >= 4 && out.includes(piece)) assert.unreachable(`${name}, ${how} at ${at}: "${piece}" left in ${JSON.stringify(out.slice(90, 180))}`)
          }
        }
      }
    }
  }
})

test('a multi-line secret is masked whole and line by line (printed one line per log row)', () => {
  assert.equal(leaks(redact.text(`key:\n${S.pem}\nend`)), [])
  for (const line of S.pem.split('\n')) {
    const out = redact.text(`stdout: ${line}`)
    assert.equal(leaks(out, [S.pem]), [], out)
  }
})

test('unicode: the astral character survives around a masked secret, and \\u escapes of it are masked', () => {
  assert.is(redact.text(`🔑 ${S.mysql} 🔑`), `🔑 ${MASK} 🔑`)
  assert.is(redact.text(JSON.stringify(S.mysql).replace('𝄞', '\\ud834\\udd1e')), `"${MASK}"`)
  assert.is(redact.text(S.mysql.replace('𝄞', '\\uD834\\uDD1E')), MASK)
})

test('the name rule: which variables are secret', () => {
  const secret = ['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'DB_PASS', 'MYSQL_PWD', 'PGPASSWORD', 'SMTP_PASSWD', 'SENTRY_DSN', 'GOOGLE_APPLICATION_CREDENTIALS', 'API_PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY', 'apiKey', 'npm_config__authToken', 'GH_PAT', 'SESSION_COOKIE', 'SSH_PASSPHRASE', 'JWT_SALT', 'MYAPIKEY', 'DOCKER_CREDS',
    // every word alone, split at -, . and camelCase
    'SIGNING_KEYS', 'BASIC_AUTH', 'db-pass', 'app.cookie', 'sentryDsn', 'RELEASE_PAT', 'CI_CREDS',
    // inside a longer word
    'GITHUBTOKEN', 'APPSECRET', 'DBPASSWORD', 'DBPASSWD', 'SSHPASSPHRASE', 'GCPCREDENTIALFILE', 'MYPRIVATEPEM', 'AWSACCESSKEY', 'vaulttoken']
  const plain = ['PWD', 'OLDPWD', 'SSH_AUTH_SOCK', 'pwd', 'PATH', 'HOME', 'BYPASS_CACHE', 'COMPASS_DIR', 'KEYBOARD_LAYOUT', 'PASSENGER_APP', 'LOG_LEVEL', 'AGENT_MODEL', 'AUTHOR_NAME', 'PATTERN', 'SALTY']
  assert.equal(secret.filter(n => !isSecretName(n)), [], 'should be secret')
  assert.equal(plain.filter(n => isSecretName(n)), [], 'should not be secret')
})

test('words found anywhere in a name (TOKEN, SECRET, PASSWORD, …) are secret alone, as a word, in any case and as a longer word: the word list needs none of them', () => {
  const words = ['APIKEY', 'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE', 'ACCESSKEY']
  const cap = (w: string) => w[0] + w.slice(1).toLowerCase()
  const forms = (w: string) => [w, `MY_${w}`, `${w}_FILE`, `app-${w.toLowerCase()}`, `db.${w.toLowerCase()}`, `my${cap(w)}`, `${w.toLowerCase()}Value`, `X${w}Y`]
  assert.equal(words.flatMap(forms).filter(n => !isSecretName(n)), [])
})

test('a URL password in any variable is a secret, as written and decoded', () => {
  const r = envRedactor({DATABASE_URL: 'postgres://app:s3cr3t%40pw@db.internal/app'})
  assert.is(r.text('connecting to postgres://app:s3cr3t%40pw@db.internal/app'), `connecting to postgres://app:${MASK}@db.internal/app`)
  assert.is(r.text('password is s3cr3t@pw'), `password is ${MASK}`)
})

test('a URL password that is not valid percent-encoding is masked as written', () => {
  const r = envRedactor({MYSQL_URL: 'mysql+tls://u:100%pure-pw@db/app', CACHE_URL: 'REDIS://:cache-pass-77@cache:6379', PLAIN_URL: 'https://example.test/a:b@c'})
  assert.is(r.text('mysql+tls://u:100%pure-pw@db/app and REDIS://:cache-pass-77@cache:6379'), `mysql+tls://u:${MASK}@db/app and REDIS://:${MASK}@cache:6379`)
  assert.is(r.text('https://example.test/a:b@c'), 'https://example.test/a:b@c', 'a URL without credentials holds no password')
})

test(`values shorter than ${MIN_SECRET_LENGTH} characters are not masked in free text`, () => {
  const r = envRedactor({DB_PASS: 'abc12', API_TOKEN: 'abc123'})
  assert.is(r.text('abc12 abc123'), `abc12 ${MASK}`)
  const none = envRedactor({FEATURE_TOKENIZER: 'true', PWD: '/home/me/project'})
  assert.ok(none.none, 'short values and the current directory mask nothing')
  // and with nothing to mask, texts, log details, errors and log functions pass through untouched
  const details = {a: [1, 'x']}
  const error = new Error('plain')
  const log = () => undefined
  assert.is(none.text('true /home/me/project'), 'true /home/me/project')
  assert.is(none.value(details), details)
  assert.is(none.error(error), error)
  assert.is(none.log(log), log)
})

test('an error is copied with its message and stack masked; an error without secrets is kept', () => {
  const e = new Error(`boom ${S.dbPass}`)
  const clean = redact.error(e)
  assert.is.not(clean, e)
  assert.equal(leaks(`${clean.message}\n${clean.stack}`), [])
  const plain = new Error('plain')
  assert.is(redact.error(plain), plain)
})

test("a masked error stays an error of its class: its message and stack can be changed and redefined like the original's, its own fields are masked, its cause is dropped", () => {
  class Failure extends Error {
    kind = 'server'
    detail = `while calling with ${S.dbPass}`
  }
  const e = new Failure(`boom ${S.dbPass}`, {cause: new Error(S.dbPass)})
  const clean = redact.error(e) as Failure
  assert.instance(clean, Failure)
  assert.is(clean.kind, 'server')
  assert.equal(leaks(`${clean.detail} ${clean.message} ${clean.stack}`), [])
  assert.is(clean.cause, undefined)
  // what callers do with errors: add context to the message, replace the stack, redefine either
  clean.message = `step failed: ${clean.message}`
  assert.match(clean.message, /^step failed: boom /)
  clean.stack = 'replaced'
  assert.is(clean.stack, 'replaced')
  Object.defineProperty(clean, 'message', {value: 'redefined'})
  Object.defineProperty(clean, 'stack', {value: 'redefined too'})
  assert.equal([clean.message, clean.stack], ['redefined', 'redefined too'])
})

test('values that are not strings are ignored (a variable that is not set), however many are given', () => {
  const r = createRedactor([undefined, null, 42, {secret: 'not-a-string-secret'}, 'real-secret-value', undefined])
  assert.is(r.text('real-secret-value 42 not-a-string-secret'), `${MASK} 42 not-a-string-secret`)
  assert.ok(createRedactor([undefined, 123456789]).none)
})

test('a longer secret that contains a shorter one is masked as one', () => {
  const r = createRedactor(['abcdef', 'xxabcdefyy'])
  assert.is(r.text('1 xxabcdefyy 2 abcdef'), `1 ${MASK} 2 ${MASK}`)
})

test.run()
