// The critical modules `npm run mutate` measures, each with the tests that must kill its mutants.
// `tests` is a regex on paths under test/ (uvu's pattern), or a list of them run one after the other
// (fast in-process files first: a mutant they kill costs no CLI run). `build: true`: the tests run the CLI
// (bin/adw → dist/), so Stryker builds dist/ once from the instrumented src/ in its sandbox; every
// mutant is in that build, switched on by the __STRYKER_ACTIVE_MUTANT__ environment variable that
// adw's child processes inherit.

import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** `file:N-M`: from the first line containing `marker` to the end of the file (Stryker's range syntax). */
function from(file, marker) {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
  const at = lines.findIndex(l => l.includes(marker))
  if (at < 0) throw new Error(`${file}: no line contains ${JSON.stringify(marker)}; update test/mutation/modules.mjs`)
  return `${file}:${at + 1}-${lines.length}`
}

/** `file:N-M`: from the line containing `start` to the line before the one containing `end`. */
function between(file, start, end) {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
  const a = lines.findIndex(l => l.includes(start))
  const b = lines.findIndex((l, i) => i > a && l.includes(end))
  if (a < 0 || b < 0) throw new Error(`${file}: no lines from ${JSON.stringify(start)} to ${JSON.stringify(end)}; update test/mutation/modules.mjs`)
  return `${file}:${a + 1}-${b}`
}

/** @type {Record<string, {what: string, mutate: string[], tests: string | string[], build?: boolean, notes?: string, why?: Array<[RegExp, string]>}>} */
export const MODULES = {
  config: {
    what: 'config precedence: flags > environment > .env > adw.config.yaml > defaults, and the config file checks',
    mutate: ['src/config.ts', 'src/project.ts'],
    tests: '^config/resolve\\.test\\.ts$',
  },
  conditions: {
    what: 'if / until: CEL compiled at load, evaluated with located errors',
    mutate: ['src/pipeline/condition.ts'],
    tests: '^pipeline/condition(-refs)?\\.test\\.ts$',
    notes: 'Most survivors cannot be told apart: the `.?` / `[?]` branches (cel-js 8 does not parse optional selection), optional chaining on error objects cel-js always builds, and a bigint shown by String() or by JSON (the same digits).',
  },
  heartbeat: {
    what: 'liveness of the process driving a run: pid on this host, 60 s heartbeat on another',
    mutate: ['src/store/status.ts'],
    tests: '^store/status\\.test\\.ts$',
    notes: 'The survivors are the EPERM branch (a live pid owned by another user) and the fallback without /proc: neither can happen to root on Linux, where the suite runs.',
  },
  'exit-codes': {
    what: 'exit codes: AdwError → its code (2), a bug → 1, a failed run → 1, cancelled → 130, and how errors print',
    // run.ts from its run() on: the flag descriptions and examples above it are help text, not behaviour.
    mutate: ['src/errors.ts', 'src/base-command.ts', from('src/commands/run.ts', 'async run(): Promise<void>')],
    tests: ['^cli/exit-codes\\.test\\.ts$', '^(cli/run-command|resume/cancel)\\.test\\.ts$'],
    build: true,
  },
  masking: {
    what: 'secret masking: secret-looking variables, URL passwords and secret inputs, in every form a step prints them, never reach the database, logs or terminal',
    mutate: ['src/secrets/redactor.ts', 'src/secrets/encodings.ts', 'src/secrets/names.ts', 'src/secrets/inputs.ts'],
    // in-process first (the corpus, the forms, the input rules), then through the CLI: every channel, the
    // agent's own redactor, secret inputs end to end. (secrets-dotenv tests src/secrets/sources.ts, not masking.)
    tests: ['^security/secrets-(corpus|forms|inputs-rules)\\.test\\.ts$', '^(engine/masking|plugins/agent-faults|security/secrets-(channels|inputs))\\.test\\.ts$'],
    build: true,
    notes: 'Measured on 2026-12-08 with the in-process tests only: `--quick`, then `--survivors` with ADW_MUTATE_QUICK=1 after new corpus tests (the pass with the CLI tests, which killed more on 2026-12-07, did not fit the session on a machine at load 16-24): a lower bound. What survives masks more than it must (a form allowed for more characters), changes only how fast a search is, cannot be told apart (an empty word, a value too short to mask), or is reached only through the CLI (the agent\'s own redactor, log functions).',
    // Why each kind of survivor is left (matched against "where mutator original → mutant"; bench/MUTATION.md).
    why: [
      [/encodings\.ts.*ArrayDeclaration \[\] → \["Stryker was here"\]/, 'equivalent: one more form of a character, "Stryker was here", which no printed text takes'],
      [/encodings\.ts.*code < 0x80/, 'masks more, leaks nothing: letters, digits and non-ASCII characters also matched backslash-escaped or as entities'],
      [/encodings\.ts.*ConditionalExpression (NAMED\[ch\]|ch === "'"|ch === ' '|code >= 0x20|code >= 0x80) → true/, 'masks more, leaks nothing: a form of some characters allowed for every character'],
      [/encodings\.ts.*code >= 0x80 → code > 0x80/, 'equivalent but for U+0080 (a C1 control character) written as an entity'],
      [/'utf8' → ""/, 'equivalent: Buffer.from(s, "") reads UTF-8 too'],
      [/pad < 3 → pad <= 3/, 'equivalent: a fourth alignment gives the first one\'s text again'],
      [/encodings\.ts.*(secret\.length - 1|text\.length - start|charCodeAt)/, 'equivalent: where the search for a cut piece starts, or its quick first-character check; only slower'],
      [/spans\.length === 0 → false/, 'equivalent: the early return when no piece was found; only slower'],
      [/'OLDPWD'/, 'equivalent: OLDPWD holds no secret word either; it is listed for the reader'],
      [/names\.ts:(17|18):/, 'equivalent: empty words (from a doubled or leading _) match no secret word'],
      [/names\.ts.*Regex/, 'equivalent: the pattern is not anchored, so only the :// and the letter before it matter'],
      [/decoded !== raw → true/, 'equivalent: the same value twice; the redactor keeps one'],
      [/typeof value !== 'string'/, 'equivalent: an empty or missing value is shorter than MIN_SECRET_LENGTH and ignored anyway'],
      [/redactor\.ts.*(given\.filter|'\\n' → "")/, 'masks more, leaks nothing: every secret is also masked trimmed, not only the lines of a multi-line one'],
      [/!s → false/, 'equivalent: an empty text comes back empty either way'],
      [/redactor\.ts.*BooleanLiteral false → true/, 'equivalent: no caller reads `none` of a redactor with secrets'],
      [/e\.stack === undefined → false/, 'equivalent: masking an undefined stack gives undefined'],
      [/details === undefined → false/, 'equivalent: masking undefined details gives undefined'],
      [/inputs\.ts.*(!\(error instanceof AdwError\)|message === error\.message) → false/, 'equivalent: resolveInputs throws only AdwErrors, and one rethrown with the same message reads the same'],
      [/inputs\.ts.*'USAGE' → ""/, 'equivalent: the code is not shown; the exit code (2) does not depend on it'],
      [/inputs\.ts.*(\{type: 'string' as const\} → \{\}|BooleanLiteral false → true)/, 'equivalent: an input without a type is a string; a masked input is always given by then, so required cannot fire'],
      [/redactor\.ts:57:/, 'reached through the CLI: the agent\'s own redactor logs through it (killed there on 2026-12-07; the CLI pass was not run this time)'],
      [/redactor\.ts:5[24]:\d+.*BooleanLiteral true → false/, 'equivalent but for deleting the masked error\'s message or stack (a non-configurable own property is still writable and redefinable)'],
      [/inputs\.ts:42:196/, 'reached through the CLI: the separator of the names in the refusal (the CLI pass was not run this time)'],
      [/redactor\.ts:62:.*ArrowFunction/, 'killed since by the corpus test of a redactor with nothing to mask (measured before that test was added)'],
      [/typeof v !== 'object' → false/, 'equivalent: a number or boolean has no entries and comes back as it is'],
    ],
  },
  'resume-reuse': {
    what: 'resume: content keys (what a step run depends on), which recorded step runs are reused (outputs fed on), which run again and why, where a loop continues',
    mutate: ['src/engine/reuse.ts', 'src/engine/memo.ts', 'src/engine/from.ts'],
    // memo and the reuse index in process first (the quickest); then through the CLI: keys and reuse, forEach items
    // (parallel), then crash, interrupted and claim resume runs left in every state.
    tests: ['^engine/(memo|reuse-index)\\.test\\.ts$', '^resume/(reuse|keys|parallel)\\.test\\.ts$', '^resume/(crash|interrupted|claim)\\.test\\.ts$'],
    build: true,
  },
  templating: {
    what: 'templates: Mustache without HTML escaping, shell quoting of every {{value}}, typed single tags; inputs and timeouts parsed',
    mutate: ['src/pipeline/template.ts', 'src/pipeline/shell/analyze.ts', 'src/pipeline/shell/check.ts', 'src/pipeline/shell/contexts.ts', 'src/pipeline/shell/parser.ts', 'src/pipeline/shell/render.ts'],
    // the corpus through real bash last: it takes the longest.
    tests: ['^pipeline/(template|inputs|load|shell-places)\\.test\\.ts$', '^pipeline/shell-corpus\\.test\\.ts$'],
  },
}
