// StrykerJS for `npm run mutate` (test/mutation/run.mjs picks the module through ADW_MUTATE_MODULE).
// uvu has no Stryker runner: the command runner runs the module's test files, and a mutant is
// killed when that command fails. Concurrency 1–2: the suite's own subprocesses need the cores.
import {MODULES} from './test/mutation/modules.mjs'

const name = process.env.ADW_MUTATE_MODULE ?? 'config'
const mod = MODULES[name]
if (!mod) throw new Error(`ADW_MUTATE_MODULE=${name}: no such module (${Object.keys(MODULES).join(', ')})`)

const uvu = `node_modules/node/bin/node --import tsx --import ./test/helpers/register.mjs node_modules/uvu/bin.js test '${mod.tests}' --no-color --bail`

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: {command: uvu},
  buildCommand: mod.build ? 'npm run build' : undefined,
  mutate: mod.mutate,
  coverageAnalysis: 'off',
  concurrency: Number(process.env.ADW_MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 10,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: {fileName: `reports/mutation/${name}.json`},
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  clearTextReporter: {allowColor: false, logTests: false},
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'bench/results', 'bench/peers/node_modules', '.adw', '*.db', '*.tgz'],
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: 'always',
  thresholds: {high: 90, low: 80, break: null},
}
