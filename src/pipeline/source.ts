import {isMap, isPair, isScalar, Scalar, type Document, type LineCounter, type Node} from 'yaml'
import type {Diagnostic} from '../errors.js'

export type PathSegment = string | number

/** Turns offsets and YAML nodes of one pipeline file into located diagnostics. */
export class SourceFile {
  readonly diagnostics: Diagnostic[] = []
  private readonly lines: string[]

  constructor(
    /** The path as the user gave it, for messages. */
    readonly displayName: string,
    readonly text: string,
    private readonly lineCounter: LineCounter,
    readonly doc?: Document.Parsed,
  ) {
    this.lines = text.split(/\r?\n/)
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): {line: number; col: number} {
    return this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)))
  }

  /** Records a problem at a character offset of the file. */
  report(offset: number, message: string): void {
    const {line, col} = this.position(offset)
    this.diagnostics.push({file: this.displayName, line, col, message, sourceLine: this.lines[line - 1]})
  }

  /** Records a problem at a node (its first character), or at the start of the file. */
  reportAt(node: Node | undefined | null, message: string): void {
    this.report(node?.range?.[0] ?? 0, message)
  }

  /** The node at `path`, or the deepest existing ancestor. */
  nodeAt(path: PathSegment[]): Node | undefined {
    if (!this.doc) return undefined
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : (this.doc.getIn(path.slice(0, n), true) as Node | undefined)
      if (node && typeof node === 'object' && 'range' in node && node.range) return node
    }
    return undefined
  }

  /** The key node of `key` in the map at `path`, when there is one. */
  keyAt(path: PathSegment[], key: string): Node | undefined {
    const map = this.nodeAt(path)
    if (!isMap(map)) return undefined
    // Indexed once per map: a search per problem made 30,000 unknown keys in one map take 95 s.
    let keys = this.keyIndex.get(map)
    if (!keys) {
      keys = new Map()
      for (const p of map.items) if (isPair(p) && isScalar(p.key) && !keys.has(String(p.key.value))) keys.set(String(p.key.value), p.key)
      this.keyIndex.set(map, keys)
    }
    return keys.get(key)
  }

  private readonly keyIndex = new WeakMap<object, Map<string, Node>>()

  /** The file offset of character `index` of a scalar's value (handles quotes, escapes, folding, block scalars). */
  scalarOffset(node: Node | undefined, index: number): number {
    if (!isScalar(node) || !node.range) return node?.range?.[0] ?? 0
    const value = String(node.value)
    const [start, valueEnd] = node.range
    let s = start
    const type = node.type
    if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) s++
    else if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) s = this.text.indexOf('\n', start) + 1 || valueEnd
    let v = 0
    let last = s
    while (v < index && v < value.length && s < valueEnd) {
      const sc = this.text[s]
      if (type === Scalar.QUOTE_DOUBLE && sc === '\\') {
        const next = this.text[s + 1]
        if (next === '\n' || next === '\r') {
          s += 2
          continue
        }
        last = s
        s += next === 'x' ? 4 : next === 'u' ? 6 : next === 'U' ? 10 : 2
        v += next === 'U' && value.codePointAt(v)! > 0xffff ? 2 : 1
        continue
      }
      if (type === Scalar.QUOTE_SINGLE && sc === "'" && this.text[s + 1] === "'") {
        last = s
        s += 2
        v++
        continue
      }
      if (sc === value[v]) {
        last = s
        s++
        v++
        continue
      }
      s++ // folded line break or indentation in the source
    }
    if (v < index) return last + 1
    // skip indentation or a folded line break that precedes the target character
    while (s < valueEnd && value[v] !== undefined && this.text[s] !== value[v] && /\s/.test(this.text[s])) s++
    return s
  }
}
