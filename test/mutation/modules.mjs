// The critical modules `npm run mutate` measures, each with the tests that must kill its mutants.
// `tests` is a regex on paths under test/ (uvu's pattern). `build: true`: the tests run the CLI
// (bin/adw → dist/), so Stryker builds dist/ once from the instrumented src/ in its sandbox; every
// mutant is in that build, switched on by the __STRYKER_ACTIVE_MUTANT__ environment variable that
// adw's child processes inherit.

/** @type {Record<string, {what: string, mutate: string[], tests: string, build?: boolean}>} */
export const MODULES = {
  config: {
    what: 'config precedence: flags > environment > .env > adw.config.yaml > defaults, and the config file checks',
    mutate: ['src/config.ts', 'src/project.ts'],
    tests: '^config/resolve\\.test\\.ts$',
  },
  conditions: {
    what: 'if / until: CEL compiled at load, evaluated with located errors',
    mutate: ['src/pipeline/condition.ts'],
    tests: '^pipeline/condition\\.test\\.ts$',
  },
  heartbeat: {
    what: 'liveness of the process driving a run: pid on this host, 60 s heartbeat on another',
    mutate: ['src/store/status.ts'],
    tests: '^store/status\\.test\\.ts$',
  },
  'exit-codes': {
    what: 'exit codes: AdwError → its code (2), a bug → 1, a failed run → 1, cancelled → 130, and how errors print',
    mutate: ['src/errors.ts', 'src/base-command.ts', 'src/commands/run.ts'],
    tests: '^cli/exit-codes\\.test\\.ts$',
    build: true,
  },
  masking: {
    what: 'secret masking: values of *KEY*, *TOKEN*, *SECRET*, *PASSWORD* variables never leave the step',
    mutate: ['src/engine/secrets.ts', 'src/plugins/agent/redact.ts'],
    tests: '^(engine/masking|plugins/agent-faults)\\.test\\.ts$',
    build: true,
  },
  templating: {
    what: 'templates: Mustache without HTML escaping, shell quoting of every {{value}}, typed single tags',
    mutate: ['src/pipeline/template.ts'],
    tests: '^pipeline/template\\.test\\.ts$',
  },
}
