/**
 * The forms a secret takes on its way to a log line, as regular expressions. A value is masked in
 * the form a step printed it, not only as it was given: escaped for JSON (`\"`, `\\`, `\u00e9`, and
 * again for JSON inside a JSON string), percent-encoded for a URL, backslash- or quote-escaped by a
 * shell (`\$`, `'\''`), as an HTML entity, or base64 (an `Authorization: Basic` header, a k8s secret).
 * Each character may take any of its forms, so a mix (`p\"ss%20w`) is one match.
 */

/** Characters shorter than this at a cut (`abcd…`) are left: a 3-character stub is no key. */
export const MIN_EDGE = 4

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
/** A run of hex digits matching either case. */
const hexAnyCase = (digits: string) => [...digits].map(d => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('')

const CONTROL: Record<string, string> = {'\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}
const NAMED: Record<string, string> = {'"': '&quot;', "'": '&(?:apos|#0*39|#[xX]0*27);', '&': '&amp;', '<': '&lt;', '>': '&gt;'}

/** Every form of one character (a code point): literal, \u escapes, %XX, entities, shell quoting. */
function charForms(ch: string): string {
  const code = ch.codePointAt(0)!
  const forms: string[] = []
  if (code < 0x80 && !/[A-Za-z0-9]/.test(ch)) {
    // Punctuation, space and controls: preceded by any number of backslashes (JSON \" \\ \/,
    // shell \$ and \", JSON text inside a JSON string \\\").
    forms.push(`\\\\*${CONTROL[ch] ? `(?:${esc(ch)}|\\\\${CONTROL[ch]})` : esc(ch)}`)
    if (NAMED[ch]) forms.push(NAMED[ch])
    if (ch === "'") forms.push(`'\\\\''`, `'"'"'`)
    if (ch === ' ') forms.push('\\+')
    if (code >= 0x20) forms.push(`&#0*${code};`, `&#[xX]0*${hexAnyCase(hex(code, 2))};`)
  } else forms.push(esc(ch))
  // \uXXXX, once or escaped again; an astral character is its UTF-16 surrogate pair
  const units = Array.from({length: ch.length}, (_, i) => ch.charCodeAt(i))
  forms.push(units.map(u => `\\\\+u${hexAnyCase(hex(u, 4))}`).join(''))
  // %XX for each UTF-8 byte; letters and digits too (some encoders escape everything)
  forms.push([...Buffer.from(ch, 'utf8')].map(b => `%${hexAnyCase(hex(b, 2))}`).join(''))
  if (code >= 0x80) forms.push(`&#0*${code};`, `&#[xX]0*${hexAnyCase(hex(code, 2))};`)
  return `(?:${forms.join('|')})`
}

/** A regular expression source matching `secret` in any of its textual forms. */
export function secretPattern(secret: string): string {
  return [...secret].map(charForms).join('')
}

/**
 * The base64 text of `secret` at each of the three byte alignments it can have inside a longer
 * value (`user:secret`), in the standard and URL-safe alphabets: only the characters that depend
 * on the secret's bytes alone, so each one appears verbatim wherever the secret was encoded.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const out = new Set<string>()
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64')
    const from = Math.ceil((pad * 8) / 6)
    const to = Math.floor(((pad + bytes.length) * 8) / 6)
    const core = b64.slice(from, to)
    out.add(core)
    out.add(core.replaceAll('+', '-').replaceAll('/', '_'))
  }
  return [...out]
}

/** Where a text may have been cut: `…` and `...` (and whatever whitespace surrounds them). */
const CUT = /\s*(?:…|\.\.\.)\s*/g

/**
 * Masks what is left of a secret where a text was cut: a head of at least MIN_EDGE characters at
 * the end of the text or before an ellipsis (`sk-ant-ab…`, `sk-ant-ab\n\n... [12 characters
 * omitted]`), and a tail at the start of the text or after one (the kept end of a long output).
 */
export function maskEdges(text: string, secrets: string[], mask: string): string {
  const heads = [text.length]
  const tails = [0]
  for (const m of text.matchAll(CUT)) heads.push(m.index), tails.push(m.index + m[0].length)
  const spans: Array<[number, number]> = []
  for (const secret of secrets) {
    for (const end of heads) {
      for (let k = Math.min(secret.length - 1, end); k >= MIN_EDGE; k--) {
        if (text.charCodeAt(end - k) === secret.charCodeAt(0) && text.startsWith(secret.slice(0, k), end - k)) {
          spans.push([end - k, end])
          break
        }
      }
    }
    for (const start of tails) {
      for (let k = Math.min(secret.length - 1, text.length - start); k >= MIN_EDGE; k--) {
        if (text.charCodeAt(start) === secret.charCodeAt(secret.length - k) && text.startsWith(secret.slice(-k), start)) {
          spans.push([start, start + k])
          break
        }
      }
    }
  }
  if (spans.length === 0) return text
  // Pieces of two secrets can overlap (the kept tail of one, the cut head of another): mask their union.
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let copied = 0
  for (let i = 0; i < spans.length; ) {
    const from = spans[i][0]
    let to = spans[i++][1]
    while (i < spans.length && spans[i][0] <= to) to = Math.max(to, spans[i++][1])
    out += text.slice(copied, from) + mask
    copied = to
  }
  return out + text.slice(copied)
}
