import type {Node} from 'web-tree-sitter'

/**
 * Where a `{{tag}}` of a shell option sits, as bash reads the script, and so how its value may be
 * referenced. The tag stands in the parsed script as `${ADW_TAG_n}`; its value reaches bash as that
 * environment variable, so bash expands it and never parses it. What is left to decide:
 * - `quoted`: an unquoted word (argument, assignment, redirection, case pattern, inside `$(...)`):
 *   rendered `"${ADW_TAG_n}"`, so no word splitting or globbing either;
 * - `bare`: inside `"..."` or an unquoted heredoc, already quoted: rendered `${ADW_TAG_n}`;
 * - a problem: where bash would not expand it (single quotes, `$'...'`, a quoted heredoc, a comment,
 *   after `\`), or would run the expanded text as code (arithmetic, `eval`, `bash -c`, the command
 *   name, variable names whose `a[...]` subscript bash evaluates).
 */
export type Verdict = {form: 'quoted' | 'bare'} | {problem: string}

const ARITHMETIC_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge'])
/** Commands that run an argument as code. */
const CODE = new Set(['eval', 'source', '.', 'trap', 'alias'])
/** Commands that run their first non-option argument as a command. */
const WRAPPERS = new Set(['exec', 'command', 'builtin', 'nohup', 'sudo', 'doas', 'env', 'nice', 'time', 'xargs', 'coproc', 'setsid', 'stdbuf', 'chroot'])
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox'])
/** Options of read / mapfile that take a value that is not a variable name. */
const READ_VALUE_OPTIONS = new Set(['-p', '-d', '-t', '-n', '-N', '-u', '-i'])
const MAPFILE_VALUE_OPTIONS = new Set(['-d', '-n', '-O', '-s', '-u', '-C', '-c'])

/** The reason and the fix that follow where a tag sits; `{{x}}` stands for the tag. */
const WHY = {
  unexpanded: `where bash expands nothing`,
  arithmetic: 'where bash evaluates the text as code (a[$(cmd)] runs cmd). Check that it is a number first: n={{x}}; [[ $n =~ ^-?[0-9]+$ ]] || exit 2; echo $((n + 1))',
  commandName: 'so the value would choose the program to run. Name the command in the script and pass the value as an argument',
  code: `which runs it as code. Pass it as data instead, e.g. bash -c 'echo "$1"' _ {{x}}`,
  name: 'where bash evaluates a[...] subscripts as code. Use a fixed variable name and the value as its content: v={{x}}',
} as const

const basename = (s: string) => s.slice(s.lastIndexOf('/') + 1)

/** A problem with `arg` (a child of `cmd`, a `command` node, holding the tag), if any. */
function commandProblem(cmd: Node, arg: Node): string | undefined {
  const nameNode = cmd.childForFieldName('name')
  if (!nameNode) return undefined
  if (nameNode.startIndex <= arg.startIndex && arg.endIndex <= nameNode.endIndex) return `as the command name, ${WHY.commandName}`
  const name = basename(nameNode.text)
  const args = cmd.children.filter((c): c is Node => c !== null && c.isNamed && c.type !== 'command_name' && c.type !== 'comment' && !c.type.endsWith('redirect'))
  const i = args.findIndex(a => a.startIndex <= arg.startIndex && arg.endIndex <= a.endIndex)
  if (i < 0) return undefined
  const before = args.slice(0, i).map(a => a.text)
  const previous = before.at(-1)
  if (CODE.has(name)) return `in an argument of ${name}, ${WHY.code}`
  if (name === 'let') return `in an argument of let, ${WHY.arithmetic}`
  const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i].text)
  if (WRAPPERS.has(name) && !(name === 'env' && assignment) && before.every(a => a.startsWith('-') || (name === 'env' && a.includes('=')))) return `as the command that ${name} runs, ${WHY.commandName}`
  if (SHELLS.has(name)) {
    const c = before.findIndex(a => /^-[A-Za-z]*c[A-Za-z]*$/.test(a))
    if (c >= 0 && before.slice(c + 1).every(a => a.startsWith('-'))) return `as the script of ${name} -c, ${WHY.code}`
  }
  if (name === 'unset' || name === 'getopts') return `in an argument of ${name}, ${WHY.name}`
  if (name === 'read' && !(previous && READ_VALUE_OPTIONS.has(previous))) return `as a variable name of read, ${WHY.name}`
  if ((name === 'mapfile' || name === 'readarray') && !(previous && MAPFILE_VALUE_OPTIONS.has(previous))) return `as a variable name of ${name}, ${WHY.name}`
  if ((name === 'printf' || name === 'test' || name === '[') && previous === '-v') return `as the variable name after ${name} -v, ${WHY.name}`
  return undefined
}

/** A problem that `node` (on the way to the tag, a child of `a`) meets at ancestor `a`. */
function ancestorProblem(a: Node, node: Node): string | undefined {
  const first = a.child(0)?.type
  switch (a.type) {
    case 'arithmetic_expansion':
      return `inside an arithmetic expansion $((...)), ${WHY.arithmetic}`
    case 'c_style_for_statement':
      return `inside for ((...)), ${WHY.arithmetic}`
    case 'compound_statement':
      return first === '((' ? `inside ((...)), ${WHY.arithmetic}` : undefined
    case 'subscript': {
      const index = a.childForFieldName('index')
      return index && index.startIndex <= node.startIndex && node.endIndex <= index.endIndex ? `in an array index, ${WHY.arithmetic}` : undefined
    }
    case 'expansion': {
      // ${v:offset:length} (a bare ':') is arithmetic; ${v:-word} and the like are not.
      const colon = a.children.some(c => c !== null && c.type === ':' && c.endIndex <= node.startIndex)
      return colon ? `in a \${var:offset:length} slice, ${WHY.arithmetic}` : undefined
    }
    case 'binary_expression':
    case 'unary_expression': {
      const test = a.parent?.type === 'test_command' || a.parent?.type === 'binary_expression' || a.parent?.type === 'unary_expression' ? enclosingTest(a) : undefined
      if (!test) return undefined
      const op = a.children.find(c => c !== null && c.type === 'test_operator')?.text
      if (op === '-v') return `after -v, ${WHY.name}`
      if (op && ARITHMETIC_TESTS.has(op) && test.child(0)?.type === '[[') return `in an arithmetic comparison (${op}) inside [[ ]], ${WHY.arithmetic}`
      return undefined
    }
    case 'unset_command':
      return `in an argument of unset, ${WHY.name}`
    case 'declaration_command': {
      const keyword = a.child(0)?.text ?? 'declare'
      const assignment = a.children.find(c => c !== null && c.type === 'variable_assignment' && c.startIndex <= node.startIndex && node.endIndex <= c.endIndex)
      if (!assignment) return `as a variable name of ${keyword}, ${WHY.name}`
      const integer = a.children.some(c => c !== null && c.type === 'word' && /^-[A-Za-z]*i/.test(c.text))
      return integer ? `in the value of an integer variable (${keyword} -i), ${WHY.arithmetic}` : undefined
    }
    case 'command':
      return commandProblem(a, node)
    default:
      return undefined
  }
}

function enclosingTest(n: Node): Node | undefined {
  for (let a: Node | null = n; a; a = a.parent) if (a.type === 'test_command') return a
  return undefined
}

/** Why a placeholder that bash does not expand at all is there. */
function unexpanded(node: Node): Verdict {
  for (let a: Node | null = node; a; a = a.parent) {
    switch (a.type) {
      case 'raw_string':
        return {problem: `inside single quotes, ${WHY.unexpanded}. Close the quotes around the tag ('text '{{x}}' more') or use double quotes ("text {{x}} more")`}
      case 'ansi_c_string':
        return {problem: `inside $'...', ${WHY.unexpanded}. Close the quotes around the tag ($'a\\tb '{{x}})`}
      case 'heredoc_body': {
        const start = a.parent?.children.find(c => c !== null && c.type === 'heredoc_start')?.text ?? ''
        if (/['"\\]/.test(start)) return {problem: `in a heredoc with a quoted delimiter (<<'EOF'), ${WHY.unexpanded}. Write <<EOF instead: the value is still never parsed`}
        // tree-sitter-bash leaves some unquoted bodies (<<-EOF with tabs) unparsed: plain text is
        // still safe to expand; with substitutions in it, nothing here can tell what bash does.
        if (/\$[([]|`/.test(a.text)) return {problem: `in a <<- heredoc that also holds $(...), $((...)) or backticks, which adw cannot check. Use <<EOF, or move the substitution out of the heredoc`}
        return {form: 'bare'}
      }
      case 'heredoc_start':
      case 'heredoc_end':
        return {problem: 'in a heredoc delimiter, which must be fixed text. Use a fixed word'}
      case 'comment':
        return {problem: 'in a comment, which bash ignores. Remove the tag'}
      case 'regex':
        // ${v#pattern}, ${v/pattern/...}, [[ x =~ regex ]]: bash expands it as a pattern; quoted,
        // it matches literally.
        if (a.parent?.type === 'expansion' || a.parent?.type === 'binary_expression') return {form: 'quoted'}
    }
  }
  return {problem: `after \\ or $ (or inside another expansion), ${WHY.unexpanded}. Remove what stands before the tag`}
}

/** How bash reads the placeholder at [start, end) of the parsed script. */
export function classify(root: Node, start: number, end: number): Verdict {
  const node = root.descendantForIndex(start, end)
  if (!node) return {problem: `after \\ or $ (or inside another expansion), ${WHY.unexpanded}. Remove what stands before the tag`}
  const exact = node.type === 'expansion' && node.startIndex === start && node.endIndex === end
  let form: 'quoted' | 'bare' | undefined
  if (!exact) {
    const verdict = unexpanded(node)
    if ('problem' in verdict) return verdict
    form = verdict.form
  }
  let below: Node = node
  for (let a = node.parent; a; below = a, a = a.parent) {
    if (form === undefined) {
      if (a.type === 'string' || a.type === 'heredoc_body') form = 'bare'
      else if (a.type === 'command_substitution' || a.type === 'process_substitution') form = 'quoted'
    }
    // Every enclosing construct counts, across $(...): `eval "$(echo {{x}})"` still evaluates it.
    const problem = ancestorProblem(a, below)
    if (problem) return {problem}
  }
  return {form: form ?? 'quoted'}
}
