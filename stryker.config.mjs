// StrykerJS for `npm run mutate` (test/mutation/run.mjs picks the module through ADW_MUTATE_MODULE).
// uvu has no Stryker runner: the command runner runs the module's test files, and a mutant is
// killed when that command fails. Concurrency 1–2: the suite's own subprocesses need the cores.
import {MODULES} from './test/mutation/modules.mjs'

const name = process.env.ADW_MUTATE_MODULE ?? 'config'
const mod = MODULES[name]
if (!mod) throw new Error(`ADW_MUTATE_MODULE=${name}: no such module (${Object.keys(MODULES).join(', ')})`)

// A list of patterns runs in order, each only if the one before passed; ADW_MUTATE_QUICK (run.mjs
// --quick): the first only.
const patterns = process.env.ADW_MUTATE_QUICK ? [mod.tests].flat().slice(0, 1) : [mod.tests].flat()
const uvu = patterns.map(p => `node_modules/node/bin/node --import tsx --import ./test/helpers/register.mjs node_modules/uvu/bin.js test '${p}' --no-color --bail`).join(' && ')

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: {command: uvu},
  // test/mutation/build.mjs: npm run build, then clears what the build leaves in node_modules/ (Stryker links the real one after).
  buildCommand: mod.build ? 'node test/mutation/build.mjs' : undefined,
  // ADW_MUTATE_ONLY (test/mutation/run.mjs --survivors): some lines of the module's files only.
  mutate: process.env.ADW_MUTATE_ONLY ? JSON.parse(process.env.ADW_MUTATE_ONLY) : mod.mutate,
  coverageAnalysis: 'off',
  concurrency: Number(process.env.ADW_MUTATE_CONCURRENCY ?? 2),
  // Past the dry run's time: a mutant that makes a test hang (a regex that backtracks forever) counts as killed.
  timeoutMS: Number(process.env.ADW_MUTATE_TIMEOUT_MS ?? 60_000),
  dryRunTimeoutMinutes: 10,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: {fileName: process.env.ADW_MUTATE_REPORT ?? `reports/mutation/${name}.json`},
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  clearTextReporter: {allowColor: false, logTests: false},
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'bench/results', 'bench/peers/node_modules', '.adw', '*.db', '*.tgz'],
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: 'always',
  thresholds: {high: 90, low: 80, break: null},
}
