import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {setFlagsFromString} from 'node:v8'
import type {Node, Parser} from 'web-tree-sitter'

/**
 * Bash's grammar for tree-sitter (`tree-sitter-bash`, run by `web-tree-sitter` as WebAssembly).
 * Loaded on first use, so only a pipeline whose shell options hold `{{tags}}` pays for it (~40 ms).
 */
let parser: Promise<Parser> | undefined

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url)
  // By default V8 compiles the grammar (1.3 MB of WebAssembly) again with its optimizing tier in
  // the background, and the process cannot exit before that ends: 2-3 s more for `adw validate` of
  // a pipeline with shell tags on a loaded 2-core machine. Scripts are a few lines: the baseline
  // compiler's code parses them at once. (`--liftoff-only` is only honoured on the command line.)
  for (const flag of ['--liftoff', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) setFlagsFromString(flag)
  const {Parser, Language} = await import('web-tree-sitter')
  await Parser.init()
  const bash = await Language.load(join(dirname(require.resolve('tree-sitter-bash/package.json')), 'tree-sitter-bash.wasm'))
  const p = new Parser()
  p.setLanguage(bash)
  return p
}

/** A parsed script; `delete()` frees the tree (it lives in WebAssembly memory, not the JS heap). */
export interface ParsedScript {
  root: Node
  delete(): void
}

/** Parses a bash script. Offsets of its nodes are UTF-16 indices into `script`, like JS strings. */
export async function parseBash(script: string): Promise<ParsedScript> {
  parser ??= load().catch(error => {
    parser = undefined
    throw error
  })
  const tree = (await parser).parse(script)
  if (!tree) throw new Error('the bash parser returned no tree')
  return {root: tree.rootNode, delete: () => tree.delete()}
}

/** The first syntax error of a parsed script (an ERROR or MISSING node), or undefined. */
export function firstSyntaxError(root: Node): Node | undefined {
  if (!root.hasError) return undefined
  const stack: Node[] = [root]
  while (stack.length > 0) {
    const node = stack.shift()!
    if (node.isError || node.isMissing) return node
    for (const child of node.children) if (child && (child.hasError || child.isMissing)) stack.push(child)
  }
  return root
}
