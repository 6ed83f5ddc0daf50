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

/** @type {Record<string, {what: string, mutate: string[], tests: string | string[], build?: boolean, notes?: string}>} */
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
  },
  'resume-reuse': {
    what: 'resume: content keys (what a step run depends on), which recorded step runs are reused (outputs fed on), which run again and why, where a loop continues',
    mutate: ['src/engine/reuse.ts', 'src/engine/memo.ts', 'src/engine/from.ts'],
    // memo and reuse first (the quickest); keys, then crash, interrupted and claim resume runs left in every state.
    tests: ['^engine/memo\\.test\\.ts$', '^resume/(reuse|keys)\\.test\\.ts$', '^resume/(crash|interrupted|claim)\\.test\\.ts$'],
    build: true,
  },
  templating: {
    what: 'templates: Mustache without HTML escaping, shell quoting of every {{value}}, typed single tags; inputs and timeouts parsed',
    mutate: ['src/pipeline/template.ts', 'src/pipeline/shell/analyze.ts', 'src/pipeline/shell/check.ts', 'src/pipeline/shell/contexts.ts', 'src/pipeline/shell/parser.ts', 'src/pipeline/shell/render.ts'],
    // the corpus through real bash last: it takes the longest.
    tests: ['^pipeline/(template|inputs|load|shell-places)\\.test\\.ts$', '^pipeline/shell-corpus\\.test\\.ts$'],
  },
}
