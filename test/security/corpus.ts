/**
 * The shell-injection corpus: hostile values × the places a `{{tag}}` can sit in a `shell` step's
 * `run`. Each value must come out of bash exactly as it went in (contexts below), or the tag must be
 * refused when the pipeline loads (REFUSED); never may bash run any part of it (the canary file
 * PWNED must never exist).
 */

/** The file every payload tries to create. */
export const CANARY = 'PWNED'

const binaryish = Array.from({length: 255}, (_, i) => String.fromCharCode(i + 1)).join('')
const long = `${'$(touch PWNED) `touch PWNED` "; touch PWNED; " \'; touch PWNED; \' \\ * '.repeat(1600)}end`

/** Values a prompt, an input or an agent's answer could hold (none ends with a newline: bash's $(...) drops those). */
export const PAYLOADS: string[] = [
  '$(touch PWNED)',
  '`touch PWNED`',
  '"; touch PWNED; "',
  "'; touch PWNED; '",
  "'",
  '"',
  'a\nb; touch PWNED',
  '\ntouch PWNED\n#',
  'x\\',
  '\\',
  '\\$(touch PWNED)',
  '$IFS',
  '${IFS}touch${IFS}PWNED',
  '*',
  '?*[a-z]',
  '~',
  '{a,b}',
  'héllo — 日本語 🎉 \u202Ertl',
  '  spaced   out ',
  '\ttab',
  'x\r\ny',
  'a[$(touch PWNED)]',
  '$((1+1))',
  '!!',
  '%s%d%n',
  '--',
  '-n',
  '<(touch PWNED)',
  '>PWNED',
  ';touch PWNED',
  '|touch PWNED',
  '&& touch PWNED',
  '${HOME}',
  '{"k": "$(touch PWNED)", "q": "\\"x\\""}',
  '',
  binaryish,
  long,
]

/** A place in a script: `@@` stands for the tag, `V` for a variable holding the same value; `out` is what bash must print. */
export interface Context {
  name: string
  script: string
  out?: (v: string) => string
}

const same = (v: string) => v

/** Where a value renders literally. */
export const CONTEXTS: Context[] = [
  {name: 'unquoted argument', script: "printf '%s' @@"},
  {name: 'double quotes', script: `printf '%s' "@@"`},
  {name: 'double quotes with text around', script: `printf '%s' "<@@>"`, out: v => `<${v}>`},
  {name: 'glued to words', script: "printf '%s' pre@@post", out: v => `pre${v}post`},
  {name: 'after a variable', script: "a=A; printf '%s' $a@@", out: v => `A${v}`},
  {name: 'unquoted heredoc', script: 'cat <<EOF\n[@@]\nEOF', out: v => `[${v}]\n`},
  {name: 'heredoc <<-', script: 'cat <<-EOF\n\t@@\n\tEOF', out: v => `${v}\n`},
  {name: 'command substitution in heredoc', script: "cat <<EOF\n$(printf '%s' @@)\nEOF", out: v => `${v}\n`},
  {name: '"$(...)" around it', script: `printf '%s' "$(printf '%s' @@)"`},
  {name: '"$(... "..." ...)"', script: `printf '%s' "$(printf '%s' "@@")"`},
  {name: 'backticks in double quotes', script: 'printf \'%s\' "`printf \'%s\' @@`"'},
  {name: 'assignment', script: "x=@@; printf '%s' \"$x\""},
  {name: 'assignment in double quotes', script: `x="@@"; printf '%s' "$x"`},
  {name: 'assignment from $(...)', script: "x=$(printf '%s' @@); printf '%s' \"$x\""},
  {name: 'array', script: "arr=(z @@); printf '%s' \"${arr[1]}\""},
  {name: 'export', script: "export X_V=@@; printf '%s' \"$X_V\""},
  {name: 'local in a function', script: "f() { local y=@@; printf '%s' \"$y\"; }; f"},
  {name: 'function argument', script: "f() { printf '%s' \"$1\"; }; f @@"},
  {name: '${unset:-default} unquoted', script: "printf '%s' ${UNSET_V:-@@}"},
  {name: '${unset:-default} in double quotes', script: `printf '%s' "\${UNSET_V:-@@}"`},
  {name: '${set:+alternative}', script: `S=1; printf '%s' "\${S:+@@}"`},
  {name: 'pattern of ${x#...}: matched literally', script: `x=ABC; printf '%s' "\${x#@@}"`, out: () => 'ABC'},
  {name: 'case pattern: matched literally', script: `case "$V" in @@) printf '%s' "$V";; *) printf nomatch;; esac`},
  {name: '[[ == ]]: matched literally', script: `[[ "$V" == @@ ]] && printf '%s' "$V" || printf nomatch`},
  {name: '[[ =~ ]]: matched literally', script: `[[ "$V" =~ @@ ]] && printf '%s' "$V" || printf nomatch`},
  {name: '[ = ]', script: `[ "$V" = @@ ] && printf '%s' "$V" || printf nomatch`},
  {name: 'for ... in', script: `for i in @@; do printf '%s' "$i"; done`},
  {name: 'here-string', script: 'cat <<< @@', out: v => `${v}\n`},
  {name: 'process substitution', script: "cat <(printf '%s' @@)"},
  {name: 'subshell and pipe', script: "( printf '%s' @@ ) | cat"},
  {name: 'brace group and redirection', script: "{ printf '%s' @@; } > out.txt; cat out.txt"},
  {name: 'brace expansion', script: "printf '%s' {x,@@}", out: v => `x${v}`},
  {name: 'bash -c with the value as $1', script: `bash -c 'printf "%s" "$1"' _ @@`},
  {name: 'if [ -n ]', script: "if [ -n @@ ]; then printf '%s' @@; fi"},
  {name: 'printf --', script: "printf -- '%s' @@"},
  {name: 'read from a pipe', script: "printf '%s' @@ | { IFS= read -r -d '' x; printf '%s' \"$x\"; }"},
].map(c => ({out: same, ...c}))

/** Where a tag can never be safe: each must fail the load (exit 2) at the tag's line:col. */
export const REFUSED: Array<{name: string; script: string; says: string}> = [
  {name: 'single quotes', script: "echo '@@'", says: 'inside single quotes'},
  {name: "$'...'", script: "echo $'a @@'", says: "inside $'...'"},
  {name: "quoted heredoc <<'EOF'", script: "cat <<'EOF'\n@@\nEOF", says: 'quoted delimiter'},
  {name: 'quoted heredoc <<"EOF"', script: 'cat <<"EOF"\n@@\nEOF', says: 'quoted delimiter'},
  {name: 'comment', script: 'true # @@', says: 'in a comment'},
  {name: 'after a backslash', script: 'echo \\@@', says: 'after \\'},
  {name: '$((...))', script: 'echo $(( @@ + 1 ))', says: 'arithmetic expansion'},
  {name: '((...))', script: '(( @@ > 1 ))', says: 'inside ((...))'},
  {name: 'for ((...))', script: 'for (( i = @@; i < 2; i++ )); do :; done', says: 'for ((...))'},
  {name: '[[ -eq ]]', script: '[[ @@ -eq 1 ]]', says: 'arithmetic comparison'},
  {name: '[[ -eq ]] through $(...)', script: '[[ $(echo @@) -gt 1 ]]', says: 'arithmetic comparison'},
  {name: 'array index', script: 'a[@@]=1', says: 'array index'},
  {name: '${a[...]}', script: 'echo "${a[@@]}"', says: 'array index'},
  {name: '${v:offset}', script: 'echo "${v:@@}"', says: 'slice'},
  {name: 'let', script: 'let x=@@', says: 'argument of let'},
  {name: 'declare -i', script: 'declare -i n=@@', says: 'integer variable'},
  {name: 'eval', script: 'eval "echo @@"', says: 'argument of eval'},
  {name: 'eval of $(...)', script: 'eval "$(echo @@)"', says: 'argument of eval'},
  {name: 'source', script: 'source @@', says: 'argument of source'},
  {name: 'trap', script: 'trap @@ EXIT', says: 'argument of trap'},
  {name: 'bash -c', script: 'bash -c "@@"', says: 'script of bash -c'},
  {name: 'sh -ec', script: 'sh -ec @@', says: 'script of sh -c'},
  {name: 'command name', script: '@@ --version', says: 'as the command name'},
  {name: 'command name in $(...)', script: 'echo "$(@@)"', says: 'as the command name'},
  {name: 'exec', script: 'exec @@', says: 'command that exec runs'},
  {name: 'xargs', script: 'echo a | xargs @@', says: 'command that xargs runs'},
  {name: 'unset', script: 'unset @@', says: 'argument of unset'},
  {name: 'declare name', script: 'declare @@', says: 'variable name of declare'},
  {name: 'read name', script: 'read -r @@ < /dev/null', says: 'variable name of read'},
  {name: 'printf -v', script: 'printf -v @@ %s x', says: 'after printf -v'},
  {name: '[[ -v ]]', script: '[[ -v @@ ]]', says: 'after -v'},
]
