import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {PACKAGE_ROOT} from '../engine/start.js'

/**
 * The starter evaluation suite as `adw scaffold --with-eval` writes it: the package's
 * examples/suite.yaml as evals/suite.yaml, with its fixture project beside it (the suite's
 * `fixture: eval/fixture` paths stay true), ready for `adw eval evals/suite.yaml`.
 */
export function starterSuiteFiles(): Array<[string, string]> {
  const examples = join(PACKAGE_ROOT, 'examples')
  const files: Array<[string, string]> = [['evals/suite.yaml', readFileSync(join(examples, 'suite.yaml'), 'utf8').replaceAll('adw eval examples/suite.yaml', 'adw eval evals/suite.yaml')]]
  for (const entry of readdirSync(join(examples, 'eval'), {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const abs = join(entry.parentPath, entry.name)
    files.push([`evals/${relative(examples, abs).split(sep).join('/')}`, readFileSync(abs, 'utf8')])
  }
  return files.sort(([a], [b]) => a.localeCompare(b))
}
