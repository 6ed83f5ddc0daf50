// The forms of a secret the corpus' secrets (secrets.helpers.ts) do not take: control characters,
// lines too short to mask alone, HTML entities of every kind, `+` for a space, base64 with `+` and `/`
// in the middle of a value, a secret cut in the middle, pieces of two secrets side by side, errors
// whose stack and message differ, values holding null or a URL object, URLs inside longer values.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createRedactor, envRedactor, MASK} from '../../src/secrets/redactor.js'

test('a secret with a tab, CR, backspace or form feed is masked as printed and JSON-escaped', () => {
  const secrets = ['tab\tsecret-1', 'cr\rsecret-2', 'bs\bsecret-3', 'ff\fsecret-4']
  const r = createRedactor(secrets)
  for (const s of secrets) {
    assert.is(r.text(`x ${s} y`), `x ${MASK} y`, JSON.stringify(s))
    assert.is(r.text(JSON.stringify({v: s})), `{"v":"${MASK}"}`, JSON.stringify(s))
  }
})

test('a multi-line secret whose lines are too short to mask alone is masked JSON-escaped', () => {
  const r = createRedactor(['ab12\ncd34\nef56'])
  assert.is(r.text(JSON.stringify({key: 'ab12\ncd34\nef56'})), `{"key":"${MASK}"}`)
  assert.is(r.text(JSON.stringify({event: JSON.stringify({key: 'ab12\ncd34\nef56'})})), JSON.stringify({event: `{"key":"${MASK}"}`}))
})

test('each line of an indented multi-line secret is masked as a program prints it, trimmed', () => {
  const r = createRedactor(['  -----BEGIN TEST KEY-----\n    line-one-abcdef\n    line-two-ghijkl  \n  -----END TEST KEY-----'])
  assert.is(r.text('stdout: line-two-ghijkl'), `stdout: ${MASK}`)
  assert.is(r.text('line-one-abcdef'), MASK)
})

const SECRET = `<a&b "c" 'd' ö é🔑>`
const entity = (re: RegExp, as: (c: string) => string) => (s: string) => s.replace(re, as)
const code = (c: string) => c.codePointAt(0)!
const HTML: Record<string, (s: string) => string> = {
  'named (&lt; &amp; &quot; &apos; &gt;)': s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
  'named, &#39; for the quote': s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  'decimal, every character that is not a letter or digit': entity(/[^A-Za-z0-9]/gu, c => `&#${code(c)};`),
  'hex, lower case': entity(/[^A-Za-z0-9]/gu, c => `&#x${code(c).toString(16)};`),
  'hex, upper case, zero-padded': entity(/[^A-Za-z0-9]/gu, c => `&#X00${code(c).toString(16).toUpperCase()};`),
}

for (const [how, encode] of Object.entries(HTML)) {
  test(`HTML entities, ${how}, are masked`, () => {
    assert.is(createRedactor([SECRET]).text(`<p title="${encode(SECRET)}">`), `<p title="${MASK}">`)
  })
}

test('a form-encoded secret with + for its spaces is masked', () => {
  const s = 'pass word with spaces'
  assert.is(createRedactor([s]).text(`a=1&pw=${encodeURIComponent(s).replaceAll('%20', '+')}&b=2`), `a=1&pw=${MASK}&b=2`)
})

test("a secret single-quoted by a shell in the '\"'\"' style is masked", () => {
  const s = "it's-a-secret"
  assert.is(createRedactor([s]).text(`+ echo 'it'"'"'s-a-secret'`), `+ echo '${MASK}'`)
})

test('base64 holding + and / is masked in both alphabets, with the secret anywhere in the encoded value', () => {
  const s = 'pw>>>???~~~'
  const r = createRedactor([s])
  for (const before of ['', 'a:', 'ab:', 'user:']) {
    for (const after of ['', ':more-bytes', '!']) {
      const b64 = Buffer.from(`${before}${s}${after}`).toString('base64')
      for (const encoded of [b64, b64.replaceAll('+', '-').replaceAll('/', '_')]) {
        const out = r.text(`Authorization: Basic ${encoded}`)
        assert.ok(out.startsWith('Authorization: Basic ') && out.includes(MASK), `${JSON.stringify(before + s + after)} as ${encoded}: ${out}`)
      }
    }
  }
})

test('a secret printed twice on one line is masked twice', () => {
  assert.is(createRedactor(['twice-secret']).text('a twice-secret b twice-secret c'), `a ${MASK} b ${MASK} c`)
})

test('a secret cut in the middle: its head before the ellipsis and its tail after it are both masked', () => {
  const k = 'sk-ant-test-KEY-0123456789abcdef'
  const r = createRedactor([k])
  for (const cut of ['…', '...', ' … ', '\n\n... [9 characters omitted] ...\n\n']) {
    const out = r.text(`key=${k.slice(0, 12)}${cut}${k.slice(-12)} end`)
    assert.not.match(out, k.slice(0, 4))
    assert.not.match(out, k.slice(-4))
    assert.is(out.split(MASK).length, 3, `${JSON.stringify(cut)}: ${out}`)
  }
})

test('pieces of two secrets that meet or overlap at a cut are masked as one, leaving nothing of either', () => {
  const r = createRedactor(['alpha-secret-1234', 'bravo-secret-5678'])
  // the kept tail of one, then the cut head of the other
  assert.is(r.text('ret-1234bravo-se'), MASK)
  const o = createRedactor(['secretA-99998888', '8888-secretB'])
  // the tail of the first (99998888) overlaps the head of the second (8888)
  assert.is(o.text('99998888'), MASK)
  assert.is(o.text('99998888…'), `${MASK}…`)
})

test('the kept tail of a secret at the start of a text and its cut head at the end are both masked', () => {
  const k = 'sk-ant-test-KEY-0123456789abcdef'
  assert.is(createRedactor([k]).text(`${k.slice(-10)} and then ${k.slice(0, 10)}`), `${MASK} and then ${MASK}`)
})

test('values: a secret in a key alone, in one item of a list, in an object met twice or in a cycle is masked; lists stay lists', () => {
  const r = createRedactor(['val-secret-9'])
  assert.is(JSON.stringify(r.value({'val-secret-9': 1})), `{"${MASK}":1}`)
  assert.is(JSON.stringify(r.value({list: ['val-secret-9', 'plain']})), `{"list":["${MASK}","plain"]}`)
  const shared = {s: 'val-secret-9'}
  assert.is(JSON.stringify(r.value({a: shared, b: [shared]})), `{"a":{"s":"${MASK}"},"b":[{"s":"${MASK}"}]}`)
  const cyclic: Record<string, unknown> = {s: 'val-secret-9'}
  cyclic.self = cyclic
  const clean = r.value(cyclic) as Record<string, unknown>
  assert.is(clean.s, MASK)
})

test('an error is masked when only its message or only its stack holds the secret, and when it has no stack', () => {
  const r = createRedactor(['err-secret-42'])
  const noStack = new Error('boom err-secret-42')
  noStack.stack = undefined
  assert.is(r.error(noStack).message, `boom ${MASK}`)
  // A stack formatted before the message was changed keeps the first message.
  const stale = new Error('first err-secret-42')
  stale.stack = `Error: first err-secret-42\n    at step (leak.js:1:1)`
  stale.message = 'clean now'
  const clean = r.error(stale)
  assert.is(clean.message, 'clean now')
  assert.not.match(String(clean.stack), 'err-secret-42')
  assert.match(String(clean.stack), `first ${MASK}`)
})

test('values holding null, numbers and a URL object (whose JSON holds the password) are masked', () => {
  const r = createRedactor(['hunter2-pw'])
  const v = {a: null, n: [null, 1, true], url: new URL('https://app:hunter2-pw@db.internal/x'), at: new Date(0)}
  const json = JSON.stringify(r.value(v))
  assert.is(json, `{"a":null,"n":[null,1,true],"url":"https://app:${MASK}@db.internal/x","at":"1970-01-01T00:00:00.000Z"}`)
})

test('the password of a URL inside a longer value is a secret: a JDBC URL, a list of hosts', () => {
  const r = envRedactor({JDBC_URL: 'jdbc:postgresql://app:s3cret-pw@db/app', REPLICAS: 'postgres://a:first-pw-1@h1/x,postgres://b:second-pw-2@h2/x'})
  assert.is(r.text('jdbc:postgresql://app:s3cret-pw@db/app'), `jdbc:postgresql://app:${MASK}@db/app`)
  assert.is(r.text('first-pw-1 second-pw-2'), `${MASK} ${MASK}`)
})

test.run()
